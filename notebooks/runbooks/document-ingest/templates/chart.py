"""The fund's chart of accounts and the rules that suggest an account for a bank line.

Why rules and not a model: the suggestion must be the same every time (a replayed workflow, a
rerun test) and explainable to the reviewer ("matched 'dividend'"). A line no rule matches goes
to suspense with a low confidence, which is exactly what the review is for. Pure data and
functions: the workflow imports this module to name a corrected account.
"""

from __future__ import annotations

from dataclasses import dataclass

SUSPENSE = "9999"

CHART: dict[str, str] = {
    "1000": "Cash at bank",
    "1200": "Investments at fair value",
    "1300": "Other receivables",
    "2100": "Accrued management fees",
    "2200": "Accrued expenses",
    "3000": "Capital - opening",
    "3100": "Subscriptions",
    "3200": "Redemptions",
    "4100": "Interest income",
    "4200": "Dividend income",
    "4300": "Unrealised gains on investments",
    "6100": "Bank charges",
    "6200": "Management fees",
    "6300": "Audit fees",
    SUSPENSE: "Suspense",
}


@dataclass(frozen=True)
class Rule:
    """Words that, found in a bank line's description, point to an account."""

    keyword: str
    account_code: str


# Most specific first: when rules for different accounts match, the first one wins and the
# suggestion is marked uncertain.
RULES: tuple[Rule, ...] = (
    Rule("subscription", "3100"),
    Rule("redemption", "3200"),
    Rule("dividend", "4200"),
    Rule("interest", "4100"),
    Rule("management fee", "2100"),
    Rule("mgmt fee", "2100"),
    Rule("audit", "2200"),
    Rule("purchase", "1200"),
    Rule("sale of", "1200"),
    Rule("bank charge", "6100"),
    Rule("charge", "6100"),
    Rule("fee", "6100"),
)

CONFIDENT = 0.9
"""A single account matched by a phrase of two words or more."""
LIKELY = 0.85
"""A single account matched by one word."""
AMBIGUOUS = 0.6
"""Rules for different accounts matched: the first is suggested, the reviewer decides."""
UNKNOWN = 0.3
"""No rule matched: suspense."""


@dataclass(frozen=True)
class Suggestion:
    """The account suggested for a description, how sure, and why."""

    account_code: str
    account_name: str
    confidence: float
    reason: str


def account_name(code: str) -> str:
    """The chart's name for ``code``, or a placeholder that says the code is unknown."""
    return CHART.get(code.strip(), f"Unknown account {code.strip()}")


def suggest_account(description: str) -> Suggestion:
    """Suggest the account a bank line posts to, from its description."""
    text = " ".join(description.lower().split())
    matched = [rule for rule in RULES if rule.keyword in text]
    if not matched:
        return Suggestion(SUSPENSE, CHART[SUSPENSE], UNKNOWN, "no rule matched the description")
    first = matched[0]
    accounts = {rule.account_code for rule in matched}
    if len(accounts) > 1:
        others = ", ".join(sorted(accounts - {first.account_code}))
        return Suggestion(
            first.account_code,
            CHART[first.account_code],
            AMBIGUOUS,
            f"matched '{first.keyword}', but also rules for {others}",
        )
    confidence = CONFIDENT if " " in first.keyword else LIKELY
    return Suggestion(
        first.account_code, CHART[first.account_code], confidence, f"matched '{first.keyword}'"
    )
