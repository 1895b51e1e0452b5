"""Connect to the configured cluster: one client factory, one timeout, one failure message.

Every client made here uses the project's pydantic data converter (runbook inputs, results and
gate payloads are pydantic models) and a runtime whose core logs only errors.
"""

from __future__ import annotations

import asyncio
import functools

from temporalio.client import Client, TLSConfig
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.service import RPCError, RPCStatusCode

from ntro._devserver import DevServer
from ntro.cluster._config import CONNECT_TIMEOUT_S, ClusterConfig
from ntro.cluster._errors import ClusterError, ClusterUnreachable

__all__ = [
    "cluster_address",
    "connect",
    "connection_failure",
    "describe_connect_failure",
    "dev_server",
    "is_unreachable",
    "quiet_runtime",
]

_UNREACHABLE_CODES = {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED}

# (words found in a transport error, what a person reads), first match wins.
_REASONS = (
    ("connection refused", "connection refused (nothing listens there)"),
    ("failed to lookup", "unknown host name"),
    ("name or service not known", "unknown host name"),
    ("dns error", "unknown host name"),
    (
        "invalidcontenttype",
        "the server does not speak TLS (drop TLS and the API key, or check the port)",
    ),
    ("invaliddata", "the server does not speak TLS (drop TLS and the API key, or check the port)"),
    ("certificate", "TLS certificate rejected (check the CA and the server name)"),
    ("handshake", "TLS handshake failed (check TLS and the certificate)"),
    ("unauthenticated", "the API key or credentials were refused"),
    ("api key", "the API key or credentials were refused"),
    ("deadline", "no answer in time"),
    ("timeout expired", "no answer in time"),
    ("timed out", "no answer in time"),
)


def describe_connect_failure(err: BaseException | str) -> str:
    """A transport error as the few words a person can act on (the full text is in ``detail``)."""
    text = " ".join(str(err).split()) or type(err).__name__
    lowered = text.lower()
    for needle, words in _REASONS:
        if needle in lowered:
            return words
    return text if len(text) <= 160 else text[:157] + "..."


def is_unreachable(err: BaseException) -> bool:
    """Whether an RPC error means the cluster is down (rather than a refused request)."""
    return isinstance(err, RPCError) and err.status in _UNREACHABLE_CODES


@functools.cache
def quiet_runtime() -> Runtime:
    """A Temporal runtime whose core logs only errors (no capability warnings in reports)."""
    return Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"))
        )
    )


def dev_server(config: ClusterConfig) -> DevServer:
    """The local dev server a config without an address points at."""
    return DevServer(
        config.dev_db, port=config.dev_port, ui_port=config.dev_ui_port, namespace=config.namespace
    )


def cluster_address(config: ClusterConfig) -> str:
    """The gRPC address to dial: the configured one, or the running local dev server's."""
    if config.address:
        return config.address
    status = dev_server(config).status()
    if not status.running:
        raise ClusterUnreachable(
            f"no Temporal cluster is configured and the local dev server is not running "
            f"(database {status.db_file}): start it with `ntro dev-server start --detach`, or "
            f"set TEMPORAL_HOST to a cluster address",
            address=status.address,
        )
    return status.address


def connection_failure(
    config: ClusterConfig, address: str, detail: str, hint: str | None = None
) -> ClusterUnreachable:
    """The one-line error for a cluster that did not answer: where, why, what to do."""
    where = f"the Temporal cluster at {address} (namespace {config.namespace})"
    if hint is None:
        hint = (
            "Check the address, TLS and the API key (TEMPORAL_HOST, TEMPORAL_TLS, TEMPORAL_API_KEY)"
            if config.address
            else "Start it with `ntro dev-server start --detach`, or set TEMPORAL_HOST"
        )
    return ClusterUnreachable(
        f"cannot reach {where}: {describe_connect_failure(detail)}. {hint}",
        address=address,
        detail=detail,
    )


def _tls(config: ClusterConfig) -> bool | TLSConfig:
    if config.tls_cert is None and config.tls_ca is None and config.tls_server_name is None:
        return config.tls
    return TLSConfig(
        server_root_ca_cert=config.tls_ca,
        domain=config.tls_server_name,
        client_cert=config.tls_cert,
        client_private_key=config.tls_key,
    )


async def connect(
    config: ClusterConfig | None = None,
    *,
    address: str | None = None,
    timeout: float = CONNECT_TIMEOUT_S,
    runtime: Runtime | None = None,
    check_namespace: bool = True,
    hint: str | None = None,
) -> Client:
    """A client for ``config`` (default: the environment's), or :class:`ClusterUnreachable`.

    ``address`` overrides where to dial (a dev server the caller just started). With
    ``check_namespace`` a namespace that does not exist is reported now, not at the first call.
    ``hint`` replaces the "what to do" sentence of the failure message. The local dev server
    (no address configured) is dialled without TLS or the API key, which are a cluster's.
    """
    config = config or ClusterConfig.from_env()
    target = address or cluster_address(config)
    remote = config.address is not None  # the local dev server speaks plain gRPC, no key
    try:
        client = await asyncio.wait_for(
            Client.connect(
                target,
                namespace=config.namespace,
                api_key=config.api_key if remote else None,
                tls=_tls(config) if remote else False,
                data_converter=pydantic_data_converter,
                runtime=runtime or quiet_runtime(),
            ),
            timeout,
        )
    except TimeoutError:
        raise connection_failure(config, target, f"no answer within {timeout:g} s", hint) from None
    except Exception as err:  # noqa: BLE001 - refused, DNS, TLS: all "cannot reach"
        raise connection_failure(config, target, str(err) or type(err).__name__, hint) from None
    if check_namespace:
        await _check_namespace(client, config, target)
    return client


async def _check_namespace(client: Client, config: ClusterConfig, address: str) -> None:
    from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest

    from ntro.cluster._config import CALL_TIMEOUT

    try:
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=config.namespace), timeout=CALL_TIMEOUT
        )
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ClusterError(
                f"namespace {config.namespace!r} does not exist on the Temporal cluster at "
                f"{address}: pass --namespace (or set TEMPORAL_NAMESPACE)"
            ) from None
        if err.status == RPCStatusCode.UNAUTHENTICATED:
            raise connection_failure(config, address, "unauthenticated") from None
        if is_unreachable(err):
            raise connection_failure(config, address, err.message) from None
        # PERMISSION_DENIED and the like: the key may not describe namespaces; go on.
