"""The labour-risk map web app over the published read-only copy (`make app`)."""
