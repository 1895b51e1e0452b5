"""Which provider and model the ``ai`` capability uses, set per activity with ``use_config``.

Why a context variable: one worker runs many activities at once for different tenants; a
tenant's provider override set by ``ai.use_config(...)`` at the top of an activity must apply to
that activity only. Unset fields fall back to :mod:`ntro.capabilities.config` (``NTRO_AI_*``).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from ntro.capabilities import config

Provider = Literal["schema", "anthropic", "openai"]
_PROVIDER_ALIASES = {
    "offline": "schema",
    "local": "schema",
    "claude": "anthropic",
    "openai-compatible": "openai",
    "openai_compatible": "openai",
    "ollama": "openai",
    "vllm": "openai",
    "llamacpp": "openai",
}
DEFAULT_MODELS = {"anthropic": "claude-sonnet-4-5", "openai": "gpt-4o-mini"}
KEY_VARS = {
    "anthropic": ("NTRO_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY"),
    "openai": ("NTRO_OPENAI_API_KEY", "OPENAI_API_KEY"),
}
DEFAULT_URLS = {"anthropic": "https://api.anthropic.com", "openai": "https://api.openai.com/v1"}


class AIConfigError(ValueError):
    """An ``ai.use_config`` value could not be used; the message names the key."""


class AIConfig(BaseModel):
    """A provider choice: ``provider``, ``model`` (or one per capability in ``models``, e.g.
    ``{"extract": ..., "check": ...}``), ``base_url``, ``api_key``, ``timeout_s``,
    ``max_retries``."""

    model_config = ConfigDict(extra="ignore")

    provider: Provider | None = None
    model: str | None = None
    models: dict[str, str] = Field(default_factory=dict)
    base_url: str | None = None
    api_key: SecretStr | None = None
    timeout_s: float | None = None
    max_retries: int = 3
    cache: bool = True


class ResolvedAI(BaseModel):
    """The provider a call will use, every default filled in."""

    provider: Provider
    model: str
    base_url: str | None
    api_key: SecretStr | None
    timeout_s: float
    max_retries: int
    cache: bool

    def key(self) -> str | None:
        return self.api_key.get_secret_value() if self.api_key else None


_current: ContextVar[AIConfig | None] = ContextVar("ntro_ai_config", default=None)


def _coerce(cfg: AIConfig | dict[str, Any] | BaseModel | None) -> AIConfig | None:
    if cfg is None or isinstance(cfg, AIConfig):
        return cfg
    data = cfg.model_dump() if isinstance(cfg, BaseModel) else dict(cfg)
    provider = data.get("provider")
    if isinstance(provider, str):
        data["provider"] = _PROVIDER_ALIASES.get(provider.lower(), provider.lower())
    try:
        return AIConfig(**data)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        raise AIConfigError(
            f"ai.use_config: {problems} (providers: schema, anthropic, openai)"
        ) from None


def use_config(cfg: AIConfig | dict[str, Any] | BaseModel | None) -> None:
    """Use ``cfg`` for the ``ai`` calls of the running task (None: back to the worker's
    configuration)."""
    _current.set(_coerce(cfg))


def current_config() -> AIConfig | None:
    """The config set by :func:`use_config` in this task, if any."""
    return _current.get()


def resolve(capability: str = "extract", override: AIConfig | None = None) -> ResolvedAI:
    """The provider, model and credentials for ``capability`` after every fallback."""
    chosen = override or _current.get() or AIConfig()
    worker = config.get()
    provider = chosen.provider or _PROVIDER_ALIASES.get(worker.ai_provider, worker.ai_provider)
    if provider not in ("schema", "anthropic", "openai"):
        raise AIConfigError(
            f"unknown AI provider {provider!r} (NTRO_AI_PROVIDER): use schema, anthropic or openai"
        )
    model = chosen.models.get(capability) or chosen.model or worker.ai_model
    key = chosen.api_key
    if key is None and provider == "anthropic":
        key = worker.anthropic_api_key
    if key is None and provider == "openai":
        key = worker.openai_api_key
    return ResolvedAI(
        provider=provider,  # type: ignore[arg-type]
        model=model or DEFAULT_MODELS.get(provider, "schema-extractor"),
        base_url=chosen.base_url or worker.ai_base_url or DEFAULT_URLS.get(provider),
        api_key=key,
        timeout_s=chosen.timeout_s or worker.ai_timeout_s,
        max_retries=chosen.max_retries,
        cache=chosen.cache and worker.ai_cache,
    )
