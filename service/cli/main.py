"""The `netflix-proxy` command: one entry point for operators.

    serve         the proxy (host, port, workers)
    emulator      the Netflix API v1 emulator (its own flags follow)
    demo          both, wired together on the embedded store (what `make run` does)
    openapi       the OpenAPI document, to stdout or a file
    check         validate the configuration and reach Redis and the upstream
    export-index  the catalog index to an NDJSON file
    probe         exit 0 when a URL answers below 500 (the container healthcheck)

A problem the operator must fix (a bad setting, a port in use) is one line on stderr and
exit status 2; a failed check is exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from service import demo, openapi_export
from service.cli.check import render, run_checks
from service.cli.export_index import export_index
from service.cli.probe import answers_below_500
from service.cli.problems import USAGE_ERROR, CliError, load_settings
from service.cli.serving import serve
from service.log_format import LOG_FORMATS
from service.store.redis import EMBEDDED_MISSING, embedded_available

PROG = "netflix-proxy"
LOG_LEVELS = ["critical", "error", "warning", "info", "debug"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A JSON REST proxy in front of the Netflix API v1, and its emulator. "
        "Settings come from NFX_* environment variables (see the README).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("serve", help="serve the proxy")
    run.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    run.add_argument("--port", type=_port, default=8080, help="TCP port (default 8080)")
    run.add_argument(
        "--workers",
        type=_positive,
        default=os.environ.get("WEB_CONCURRENCY", "1"),
        help="processes (default: WEB_CONCURRENCY, else 1)",
    )
    run.add_argument("--log-level", choices=LOG_LEVELS, default="info")
    run.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default="json",
        help="json (one object per line, the default) or text",
    )

    commands.add_parser(
        "emulator",
        help="run the Netflix API v1 emulator (`netflix-proxy emulator --help` for its flags)",
        add_help=False,
    )

    both = commands.add_parser("demo", help="the emulator and the proxy on embedded defaults")
    both.add_argument("--port", type=_port, default=8080, help="proxy port (default 8080)")
    both.add_argument(
        "--emulator-port", type=_port, default=8081, help="emulator port (default 8081)"
    )

    document = commands.add_parser("openapi", help="print or write the OpenAPI document")
    document.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    commands.add_parser("check", help="validate the configuration and reach its services")

    export = commands.add_parser("export-index", help="the catalog index to an NDJSON file")
    export.add_argument("file", type=Path, help="where to write the NDJSON")

    probe = commands.add_parser("probe", help="exit 0 when the URL answers below 500")
    probe.add_argument("url", help="e.g. http://127.0.0.1:8080/readyz")
    return parser


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a TCP port (1 to 65535)")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be 1 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["emulator"]:
        # The emulator is its own program with its own flags; the proxy never imports it.
        os.execv(sys.executable, [sys.executable, "-m", "emulator", *arguments[1:]])  # noqa: S606
    args = _parser().parse_args(arguments)
    try:
        return _run(args)
    except CliError as problem:
        print(f"{PROG}: {problem}", file=sys.stderr)
        return USAGE_ERROR


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        settings = load_settings()  # refuse a bad configuration before binding anything
        if settings.redis_url is None and not embedded_available():
            raise CliError(EMBEDDED_MISSING)
        serve(
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
            log_format=args.log_format,
        )
        return 0
    if args.command == "demo":
        demo.main(["--port", str(args.port), "--emulator-port", str(args.emulator_port)])
        return 0
    if args.command == "openapi":
        text = openapi_export.render()
        if args.output is None:
            sys.stdout.write(text)
        else:
            args.output.write_text(text)
        return 0
    if args.command == "check":
        findings = asyncio.run(run_checks(load_settings()))
        print(render(findings))
        return 0 if all(finding.ok for finding in findings) else 1
    if args.command == "probe":
        return 0 if answers_below_500(args.url) else 1
    titles = export_index(load_settings(), args.file)
    return 0 if titles else 1
