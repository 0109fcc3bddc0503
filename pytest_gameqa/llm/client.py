"""ModelClient: the one door to the model. Lazy litellm, retries with backoff, budget, cost, redaction.

A model is an unreliable network service: it times out, rate-limits, returns prose instead of JSON.
None of that may end a game test, so every failure here ends as `ModelUnavailable` (the caller falls
back to the heuristic player) after a bounded number of retries. litellm is imported only when a
model is configured (it takes seconds), with the bundled price map so the import needs no network.
Cost is summed per test; a model litellm has no price for is reported as unknown (None), never 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..models import LLMUsage
from .schema import DecisionError

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

_litellm: Any = None
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD", re.I)
_RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504, 529}
_CONFIG_STATUS = {401, 402, 403, 404}
MAX_BACKOFF_S = 8.0


class ModelUnavailable(Exception):
    """No usable answer this time; the message is one redacted line for the report."""


def litellm_module() -> Any:
    """Import litellm once, offline (bundled price map) and quiet (no banners on stdout)."""
    global _litellm
    if _litellm is None:
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        import litellm

        litellm.suppress_debug_info = True
        litellm.drop_params = True
        with contextlib.suppress(ImportError):
            # the OpenAI SDK imports its chat client on first use: seconds that would land in the first step
            import openai.resources.chat  # noqa: F401
        _litellm = litellm
    return _litellm


def provider_problem(model: str) -> str | None:
    """Why litellm cannot route `model` (no provider prefix it knows), or None when it can."""
    try:
        litellm_module().get_llm_provider(model)
    except Exception as error:  # litellm raises BadRequestError("LLM Provider NOT provided ...")
        return str(error).splitlines()[0][:200]
    return None


def redact(text: str) -> str:
    """Remove API keys from anything that may reach a report or a log."""
    for name, value in os.environ.items():
        if len(value) >= 8 and _SECRET_NAME.search(name) and value in text:
            text = text.replace(value, "***")
    text = re.sub(r"(?i)(bearer\s+)[^\s'\"]+", r"\1***", text)
    text = re.sub(r"(?i)(api[_-]?key['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+", r"\1***", text)
    return re.sub(r"\bsk-[A-Za-z0-9_\-]{6,}", "sk-***", text)


def parse_json(text: str, schema: type[M]) -> M:
    """The first JSON object in a reply (models wrap JSON in prose or ``` fences) as `schema`."""
    stripped = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", stripped, re.S)
    if fenced:
        stripped = fenced.group(1).strip()
    if not stripped.startswith("{"):
        start, end = stripped.find("{"), stripped.rfind("}")
        if start < 0 or end <= start:
            raise ValueError("the reply holds no JSON object")
        stripped = stripped[start : end + 1]
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as error:
        raise ValueError(f"the reply is not valid JSON ({error.msg})") from None
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'reply'}: {e['msg']}" for e in error.errors()[:4])
        raise ValueError(f"the JSON does not match the schema ({problems})") from None


class ModelClient:
    """Calls one model for one test, and keeps that test's usage (calls, tokens, cost, fallbacks)."""

    def __init__(
        self,
        *,
        model: str,
        api_base: str | None,
        timeout: float,
        retries: int,
        max_cost: float | None,
        usage: LLMUsage,
        note: Callable[..., None],
    ) -> None:
        self.litellm = litellm_module()
        self.model = model
        self.api_base = api_base
        self.timeout = timeout
        self.retries = retries
        self.max_cost = max_cost
        self.usage = usage
        self.note = note
        self.disabled: str | None = None
        self.budget_spent = False
        self.priced = self._priced()
        self.structured = self._supports_schema()
        if max_cost is not None and not self.priced:
            note(f"--game-max-cost cannot be enforced: litellm has no price for {model}", warn=True)

    # ------------------------------------------------------------------------------------ model facts
    def _priced(self) -> bool:
        try:
            info = self.litellm.get_model_info(self.model)
        except Exception:
            return False
        return info.get("input_cost_per_token") is not None

    def _supports_schema(self) -> bool:
        try:
            return bool(self.litellm.supports_response_schema(self.model))
        except Exception:
            return False

    def _api_key(self) -> str | None:
        """GAMEQA_API_KEY, else litellm's provider variables; local servers get a placeholder."""
        key = os.environ.get("GAMEQA_API_KEY")
        if key:
            return key
        provider = self.model.split("/", 1)[0]
        if self.api_base and provider in ("openai", "hosted_vllm") and not os.environ.get("OPENAI_API_KEY"):
            return "no-key"  # Ollama, vLLM and llama.cpp servers accept any key; the OpenAI SDK needs one
        return None

    @property
    def available(self) -> bool:
        return self.disabled is None and not self._over_budget()

    def _over_budget(self) -> bool:
        cost = self.usage.cost_usd
        if self.max_cost is None or cost is None or cost < self.max_cost:
            return False
        if not self.budget_spent:
            self.budget_spent = True
            self.note(f"budget spent: ${cost:.4f} >= --game-max-cost ${self.max_cost:g}; no more calls", warn=True)
        return True

    # ------------------------------------------------------------------------------------ calls
    async def ask(
        self,
        purpose: str,
        system: str,
        content: list[dict[str, Any]],
        schema: type[M],
        check: Callable[[M], T | Awaitable[T]] | None = None,
        max_tokens: int = 700,
    ) -> T | M:
        """One answer that parses as `schema` and passes `check`, or ModelUnavailable.

        Invalid answers are sent back with what was wrong, so a retry can fix them; network errors,
        timeouts, 429 and 5xx are retried after a backoff (honouring Retry-After).
        """
        if self.disabled:
            raise ModelUnavailable(self.disabled)
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": content},
        ]
        problem = "no attempt made"
        delay = 0.0
        for attempt in range(self.retries + 1):
            if self._over_budget():
                raise ModelUnavailable("the model budget (--game-max-cost) is spent")
            if delay:
                await asyncio.sleep(delay)
            delay = min(0.5 * 2**attempt, MAX_BACKOFF_S)
            try:
                response = await asyncio.wait_for(self._complete(messages, schema, max_tokens), self.timeout + 5)
            except asyncio.TimeoutError:
                problem = f"no reply within {self.timeout:g} s"
                continue
            except Exception as error:
                status = getattr(error, "status_code", None)
                name = type(error).__name__
                if name == "Timeout" or "timed out" in str(error).lower():
                    problem = f"no reply within {self.timeout:g} s"
                    continue
                problem = f"{name} ({status}): {str(error).splitlines()[0][:160]}" if status else f"{name}"
                if status in _CONFIG_STATUS or "LLM Provider NOT provided" in str(error):
                    self.disabled = redact(f"the model API refused the request, model use stopped: {problem}")
                    self.note(self.disabled + _config_hint(status), warn=True)
                    raise ModelUnavailable(self.disabled) from None
                if status == 400 and self.structured:
                    self.structured = False  # some servers reject json_schema; JSON mode is enough
                    delay = 0.0
                    continue
                if status in _RETRY_STATUS or status is None or status >= 500:
                    delay = max(delay, _retry_after(error))
                    continue
                raise ModelUnavailable(redact(f"{purpose}: {problem}")) from None
            text = self._account(response)
            try:
                parsed = parse_json(text, schema)
                if check is None:
                    return parsed
                result = check(parsed)
                if inspect.isawaitable(result):
                    result = await result
                return result  # type: ignore[return-value]
            except (ValueError, DecisionError) as error:
                problem = f"unusable answer: {error}"
                delay = 0.0
                messages = [
                    *messages[:2],
                    {"role": "assistant", "content": text[:2000] or "(empty)"},
                    {
                        "role": "user",
                        "content": f"That answer cannot be used: {error}. Reply with one JSON object "
                        "that follows the schema and the rules, nothing else.",
                    },
                ]
        raise ModelUnavailable(redact(f"{purpose}: {problem} (after {self.retries + 1} attempts)"))

    async def _complete(self, messages: list[dict[str, Any]], schema: type[BaseModel], max_tokens: int) -> Any:
        self.usage.calls += 1
        if self.structured:
            from litellm.utils import type_to_response_format_param

            response_format: dict[str, Any] | None = type_to_response_format_param(schema)
        else:
            response_format = {"type": "json_object"}
        return await self.litellm.acompletion(
            model=self.model,
            messages=messages,
            api_base=self.api_base,
            api_key=self._api_key(),
            response_format=response_format,
            timeout=self.timeout,
            max_tokens=max_tokens,
            max_retries=0,
            num_retries=0,
        )

    def _account(self, response: Any) -> str:
        """Count tokens and cost; return the reply text."""
        usage = getattr(response, "usage", None)
        self.usage.tokens += int(getattr(usage, "total_tokens", 0) or 0)
        cost: float | None = None
        if self.priced:
            try:
                cost = float(self.litellm.completion_cost(completion_response=response, model=self.model))
            except Exception:
                cost = None
        if cost is None:
            self.usage.cost_usd = None
        elif self.usage.cost_usd is not None:
            self.usage.cost_usd = round(self.usage.cost_usd + cost, 8)
        try:
            return response.choices[0].message.content or ""
        except (AttributeError, IndexError):
            return ""


def _retry_after(error: Exception) -> float:
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None) or {}
    try:
        return min(float(headers.get("retry-after", 0)), 20.0)
    except (TypeError, ValueError):
        return 0.0


def _config_hint(status: int | None) -> str:
    if status == 401:
        return " (set the provider's key, e.g. OPENAI_API_KEY or ANTHROPIC_API_KEY, or GAMEQA_API_KEY)"
    if status == 404:
        return " (check --game-model and --game-api-base)"
    if status == 402:
        return " (the account has no credit)"
    return ""
