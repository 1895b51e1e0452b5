"""``run_quality_check``: one spec evaluated on submitted data, as a Temporal activity.

Code and types evaluators run here, instantly and deterministically. An ``llm`` evaluator asks
the configured provider (``ai.complete``) for ``{"status", "detail", "confidence"}``, caches the
answer in ``system.cache_check``, and is ``skipped`` with a reason when no provider is
configured, so a runbook written with LLM checks still runs on a machine with no account.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from temporalio import activity

from ntro.capabilities.checks._models import QualityCheckItem, QualityCheckSpec, Status
from ntro.capabilities.checks._rules import _plain, get_rule, types_check

logger = logging.getLogger(__name__)

NO_PROVIDER = (
    "no LLM provider is configured (the offline schema extractor cannot judge a prompt): set "
    "NTRO_AI_PROVIDER to anthropic or openai with its API key to run this check"
)


def _item(spec: QualityCheckSpec, status: Status, detail: str, **extra: Any) -> QualityCheckItem:
    return QualityCheckItem(
        id=spec.id, title=spec.title, status=status, detail=detail, source=spec.source, **extra
    )


async def _llm(
    spec: QualityCheckSpec, submitted: Any, baseline: Any, ai_config: Any
) -> QualityCheckItem:
    from ntro.capabilities import ai

    if ai_config is not None:
        ai.use_config(ai_config)
    resolved = ai.resolve("check")
    if resolved.provider == "schema":
        return _item(spec, "skipped", NO_PROVIDER)
    body = json.dumps({"submitted": _plain(submitted), "baseline": _plain(baseline)}, default=str)
    key = hashlib.sha256(
        f"{resolved.provider}:{resolved.model}:{spec.prompt}:{body}".encode()
    ).hexdigest()
    cached = await _cached(key)
    if cached is not None:
        return _item(spec, **cached)
    system = (
        'You review accounting data. Answer with one JSON object: {"status": "pass"|"warn"|'
        '"fail", "detail": "<one sentence>", "confidence": 0.0-1.0}.'
    )
    text = await ai.complete(system=system, prompt=f"Check: {spec.prompt}\n\nData: {body[:60000]}")
    try:
        start, end = text.find("{"), text.rfind("}")
        answer = json.loads(text[start : end + 1])
        status: Status = (
            answer["status"] if answer.get("status") in ("pass", "warn", "fail") else "warn"
        )
        detail = str(answer.get("detail", ""))
        confidence = float(answer["confidence"]) if "confidence" in answer else None
    except (ValueError, KeyError, TypeError):
        raise ai.ProviderResponseError(
            f"{resolved.provider} answered check {spec.id!r} with text that is not the JSON "
            f"asked for: {' '.join(text.split())[:160]!r}",
            provider=resolved.provider,
        ) from None
    await _store(key, {"status": status, "detail": detail, "confidence": confidence})
    return _item(spec, status, detail, confidence=confidence)


async def _cached(key: str) -> dict[str, Any] | None:
    try:
        from ntro.capabilities import config
        from ntro.data import get_data_plane

        db = await get_data_plane(config.get().tenant_slug)
        return await db.fetchval("SELECT result FROM system.cache_check WHERE key = $1", key)
    except Exception as err:
        logger.warning("check cache unavailable (%s)", err)
        return None


async def _store(key: str, outcome: dict[str, Any]) -> None:
    try:
        from ntro.capabilities import config
        from ntro.data import get_data_plane

        db = await get_data_plane(config.get().tenant_slug)
        await db.execute(
            "INSERT INTO system.cache_check (key, result) VALUES ($1, $2::jsonb) "
            "ON CONFLICT (key) DO UPDATE SET result = EXCLUDED.result, created_at = now()",
            key,
            json.dumps(outcome),
        )
    except Exception as err:
        logger.warning("check cache unavailable (%s)", err)


async def evaluate(
    spec: QualityCheckSpec | dict[str, Any],
    submitted: Any,
    baseline: Any = None,
    ai_config: Any = None,
) -> QualityCheckItem:
    """Run one check; a rule that fails to run gives a ``fail`` item saying why, never an
    exception (one broken check must not hide the others)."""
    spec = spec if isinstance(spec, QualityCheckSpec) else QualityCheckSpec.model_validate(spec)
    if spec.requires_baseline and baseline is None:
        return _item(spec, "skipped", "this check compares with a baseline, and there is none yet")
    if spec.evaluator == "llm":
        return await _llm(spec, submitted, baseline, ai_config)
    try:
        if spec.evaluator == "types":
            data = _plain(submitted)
            slug = spec.params.get("schema_slug") or (
                data.get("schema_slug") if isinstance(data, dict) else None
            )
            if not slug:
                return _item(spec, "skipped", "no schema_slug in the check's params or the data")
            status, detail, facts = types_check(submitted, slug)
        else:
            rule = get_rule(spec.rule or spec.id)
            status, detail, facts = rule(submitted, baseline, spec.params)
    except (KeyError, LookupError, ValueError, TypeError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
        return _item(spec, "fail", f"the check could not run: {message}")
    return _item(spec, status, detail, data=facts, confidence=1.0)


@activity.defn(name="ntro.checks.run_quality_check")
async def run_quality_check(
    spec: QualityCheckSpec,
    submitted: Any,
    baseline: Any = None,
    ai_config: dict[str, Any] | None = None,
) -> QualityCheckItem:
    """The activity a gate's ``checks_spec`` runs once per check; see :func:`evaluate`."""
    return await evaluate(spec, submitted, baseline, ai_config)
