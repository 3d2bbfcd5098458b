"""One module per page: `layout(page, …)` builds it, `register(app, copy)` adds its callbacks."""
