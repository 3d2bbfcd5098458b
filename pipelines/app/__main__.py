"""`python -m pipelines.app [--published FILE] [--host H] [--port P]`: serve the app.

It listens on 127.0.0.1 unless told otherwise: worker keys are pseudonymous personal
data, so a wider audience reaches it through a reverse proxy that authenticates
(README, "The map app").
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pipelines.app.server import create_app

DEFAULT_PUBLISHED = Path("var/warehouse/published/lrm_analyst.duckdb")


def main(argv: list[str] | None = None) -> None:
    """Serves the map app on the published copy; exits with a hint to run the pipeline when
    there is no copy yet."""
    parser = argparse.ArgumentParser(prog="python -m pipelines.app", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--published",
        type=Path,
        default=Path(os.environ.get("LRM_PUBLISHED", DEFAULT_PUBLISHED)),
        help="the published read-only copy (default: %(default)s)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    args = parser.parse_args(argv)
    if not args.published.exists():
        parser.exit(2, f"no published copy at {args.published}: run `make run` (or `lrm run`) first\n")
    create_app(args.published).run(host=args.host, port=args.port, debug=False)


if __name__ == "__main__":
    main()
