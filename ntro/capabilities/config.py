"""The worker's settings: where Temporal, the tenant database, artifacts and providers are.

Why one object: every capability needs a little configuration (the AI provider's key, the SMTP
server, the artifacts folder) and a runbook author needs one place to see and override it.
:func:`get` reads ``NTRO_*`` environment variables, on top of an optional JSON file named by
``NTRO_CONFIG_FILE``, once per process; :func:`set` replaces it (a test, a notebook) and
:func:`reset` goes back to the environment. Secrets are :class:`pydantic.SecretStr`: they never
appear in ``repr``, logs or error messages; read one with ``.get_secret_value()``.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

__all__ = [
    "ConfigError",
    "ENV_VARS",
    "WorkerConfig",
    "from_env",
    "get",
    "reset",
    "set",
]

CONFIG_FILE_VAR = "NTRO_CONFIG_FILE"


class ConfigError(ValueError):
    """A setting could not be read; the message names the variable or file and the fix."""


def _ntro_home() -> Path:
    return Path.home() / ".ntro"


class WorkerConfig(BaseModel):
    """Everything a worker and its capabilities are configured with; every field has a default
    that works on one machine with no account anywhere."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    temporal_host: str | None = None
    temporal_namespace: str = "default"
    tenant_slug: str = "local"
    tenant_id: str | None = None
    tenant_postgres_url: SecretStr | None = None
    artifacts_dir: Path = Field(default_factory=lambda: _ntro_home() / "artifacts")
    trace_dir: Path = Field(default_factory=lambda: _ntro_home() / "traces")
    trace_endpoint: str | None = None
    trace_token: SecretStr | None = None
    ai_provider: str = "schema"
    ai_model: str | None = None
    ai_base_url: str | None = None
    ai_timeout_s: float = 60.0
    ai_cache: bool = True
    anthropic_api_key: SecretStr | None = None
    openai_api_key: SecretStr | None = None
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "ntro@localhost"
    smtp_starttls: bool = False
    smtp_timeout_s: float = 30.0
    notify_endpoint: str | None = None
    gl_provider: str = "local"
    gl_api_url: str | None = None
    gl_api_key: SecretStr | None = None

    def secret(self, name: str) -> str | None:
        """The plain value of secret field ``name`` (None when unset), for the one call that
        sends it."""
        value = getattr(self, name)
        return value.get_secret_value() if isinstance(value, SecretStr) else value


# Field -> environment variables, first set wins (the published SDK's own names come second).
ENV_VARS: dict[str, tuple[str, ...]] = {
    "temporal_host": ("NTRO_TEMPORAL_HOST", "TEMPORAL_HOST"),
    "temporal_namespace": ("NTRO_TEMPORAL_NAMESPACE", "TEMPORAL_NAMESPACE"),
    "tenant_slug": ("NTRO_TENANT_SLUG",),
    "tenant_id": ("NTRO_TENANT_ID",),
    "tenant_postgres_url": ("NTRO_TENANT_POSTGRES_URL",),
    "artifacts_dir": ("NTRO_ARTIFACTS_DIR",),
    "trace_dir": ("NTRO_TRACE_DIR",),
    "trace_endpoint": ("NTRO_TRACE_ENDPOINT",),
    "trace_token": ("NTRO_TRACE_TOKEN",),
    "ai_provider": ("NTRO_AI_PROVIDER",),
    "ai_model": ("NTRO_AI_MODEL",),
    "ai_base_url": ("NTRO_AI_BASE_URL",),
    "ai_timeout_s": ("NTRO_AI_TIMEOUT_S",),
    "ai_cache": ("NTRO_AI_CACHE",),
    "anthropic_api_key": ("NTRO_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY"),
    "openai_api_key": ("NTRO_OPENAI_API_KEY", "OPENAI_API_KEY"),
    "smtp_host": ("NTRO_SMTP_HOST",),
    "smtp_port": ("NTRO_SMTP_PORT",),
    "smtp_username": ("NTRO_SMTP_USERNAME",),
    "smtp_password": ("NTRO_SMTP_PASSWORD",),
    "smtp_from": ("NTRO_SMTP_FROM",),
    "smtp_starttls": ("NTRO_SMTP_STARTTLS",),
    "smtp_timeout_s": ("NTRO_SMTP_TIMEOUT_S",),
    "notify_endpoint": ("NTRO_NOTIFY_ENDPOINT",),
    "gl_provider": ("NTRO_GL_PROVIDER",),
    "gl_api_url": ("NTRO_GL_API_URL",),
    "gl_api_key": ("NTRO_GL_API_KEY",),
}


def _describe_errors(err: ValidationError, origin: Mapping[str, str]) -> str:
    """One line per bad setting, naming where it came from but never echoing its value (it may
    be a secret)."""
    parts = []
    for problem in err.errors():
        field = str(problem["loc"][0]) if problem["loc"] else "?"
        parts.append(f"{origin.get(field, field)}: {problem['msg']}")
    return "; ".join(parts)


def from_env(
    environ: Mapping[str, str] | None = None, *, config_file: str | os.PathLike[str] | None = None
) -> WorkerConfig:
    """Read a :class:`WorkerConfig` from ``environ`` (default ``os.environ``), on top of the JSON
    file ``config_file`` (default ``$NTRO_CONFIG_FILE``) when there is one."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    path = config_file if config_file is not None else env.get(CONFIG_FILE_VAR)
    if path:
        try:
            loaded = json.loads(Path(path).expanduser().read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"config file {str(path)!r} does not exist; create it or unset {CONFIG_FILE_VAR}"
            ) from None
        except json.JSONDecodeError as err:
            raise ConfigError(
                f"config file {str(path)!r} is not JSON (line {err.lineno}): fix it or unset "
                f"{CONFIG_FILE_VAR}"
            ) from None
        if not isinstance(loaded, dict):
            raise ConfigError(f"config file {str(path)!r} must hold a JSON object of settings")
        unknown = sorted(key for key in loaded if key not in WorkerConfig.model_fields)
        if unknown:
            raise ConfigError(
                f"config file {str(path)!r} has unknown settings {unknown}; known: "
                f"{sorted(WorkerConfig.model_fields)}"
            )
        values.update(loaded)
        origin.update({key: f"{path}:{key}" for key in loaded})
    for field, names in ENV_VARS.items():
        for name in names:
            raw = env.get(name)
            if raw is not None and raw != "":
                values[field] = raw
                origin[field] = name
                break
    try:
        return WorkerConfig(**values)
    except ValidationError as err:
        raise ConfigError(f"invalid worker setting: {_describe_errors(err, origin)}") from None


_lock = threading.Lock()
_current: WorkerConfig | None = None


def get() -> WorkerConfig:
    """The process's configuration: the one :func:`set` gave, else read from the environment
    once."""
    global _current
    with _lock:
        if _current is None:
            _current = from_env()
        return _current


def set(cfg: WorkerConfig | Mapping[str, Any]) -> WorkerConfig:  # noqa: A001 - published name
    """Replace the process's configuration with ``cfg`` (a :class:`WorkerConfig`, or a mapping
    of its fields, which starts from the defaults)."""
    global _current
    if isinstance(cfg, WorkerConfig):
        chosen = cfg
    else:
        try:
            chosen = WorkerConfig(**dict(cfg))
        except ValidationError as err:
            raise ConfigError(f"invalid worker setting: {_describe_errors(err, {})}") from None
    with _lock:
        _current = chosen
    return chosen


def reset() -> None:
    """Forget the configuration set or read so far; the next :func:`get` reads the environment."""
    global _current
    with _lock:
        _current = None
