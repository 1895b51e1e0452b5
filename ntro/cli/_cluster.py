"""What the cluster commands share: connection options, ``--json`` output, JSON arguments.

Kept free of Temporal imports at module level: ``ntro --help`` must not load temporalio's
client. Commands import :mod:`ntro.cluster` inside their bodies.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ntro.cli._app import CliError

if TYPE_CHECKING:
    from ntro.cluster import ClusterConfig

T = TypeVar("T")

Address = Annotated[
    str | None,
    typer.Option(
        "--address", help="Cluster host:port (default: TEMPORAL_HOST, else the dev server)."
    ),
]
Namespace = Annotated[
    str | None,
    typer.Option("--namespace", help="Namespace (default: TEMPORAL_NAMESPACE or default)."),
]
ApiKey = Annotated[
    str | None, typer.Option("--api-key", help="API key (default: TEMPORAL_API_KEY); implies TLS.")
]
Tls = Annotated[
    bool | None, typer.Option("--tls/--no-tls", help="Use TLS (default: TEMPORAL_TLS).")
]
TlsCert = Annotated[
    Path | None,
    typer.Option(
        "--tls-cert", help="Client certificate PEM for mutual TLS (TEMPORAL_TLS_CERT_PATH)."
    ),
]
TlsKey = Annotated[
    Path | None,
    typer.Option("--tls-key", help="Client key PEM for mutual TLS (TEMPORAL_TLS_KEY_PATH)."),
]
TlsCa = Annotated[
    Path | None,
    typer.Option("--tls-ca", help="CA certificate PEM of the server (TEMPORAL_TLS_CA_PATH)."),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
Runbooks = Annotated[
    list[Path] | None,
    typer.Option(
        "--runbooks",
        help="Directory of runbook bundles (repeatable; default: NTRO_RUNBOOKS, else ./runbooks).",
    ),
]


def cluster_config(
    address: str | None,
    namespace: str | None,
    api_key: str | None,
    tls: bool | None,
    tls_cert: Path | None,
    tls_key: Path | None,
    tls_ca: Path | None,
) -> ClusterConfig:
    """The environment's cluster with the command's options on top."""
    from ntro.cluster import ClusterConfig, ClusterError

    try:
        return ClusterConfig.from_env().with_options(
            address=address,
            namespace=namespace,
            api_key=api_key,
            tls=tls,
            tls_cert_path=tls_cert,
            tls_key_path=tls_key,
            tls_ca_path=tls_ca,
        )
    except ClusterError as err:
        raise CliError(str(err), code=2) from None


def run_async(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` and turn the cluster's one-line errors into CLI errors (bad input: 2)."""
    import asyncio  # here, not at module level: `ntro --help` need not load it

    from ntro.cluster import ClusterError, ConfigError, RunInputError

    try:
        return asyncio.run(work())  # type: ignore[arg-type]
    except (ConfigError, RunInputError) as err:
        raise CliError(str(err), code=2) from None
    except ClusterError as err:
        raise CliError(str(err)) from None


def json_argument(raw: str | None, flag: str) -> Any:
    """``--input``-style text: JSON, or ``@path`` to a JSON file; None stays None."""
    if raw is None:
        return None
    text = raw
    if raw.startswith("@"):
        path = Path(raw[1:]).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise CliError(f"{flag} {raw}: cannot read {path}: {err.strerror}", code=2) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise CliError(
            f"{flag} is not valid JSON ({err.msg} at line {err.lineno} column {err.colno}); "
            f"pass JSON text or @path/to/file.json",
            code=2,
        ) from None


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))
