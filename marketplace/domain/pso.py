"""PSO (Prestatieladder Socialer Ondernemen): self-scan, certificate expiry (docs/domain.md "PSO").

Self-scan: score = (direct target-group FTE + indirect FTE via purchases from PSO and SW suppliers)
/ total FTE, compared with size-class norms for trede 1/2/3 (10 FTE: 6.7 / 9.0 / 15.5%; 50 FTE:
3.0 / 3.7 / 6.8%; 105+ FTE: 1.4 / 1.9 / 3.7%), interpolated linearly between classes on total FTE;
`pso_30_plus` from a score of 30%.

Choices where docs/domain.md is silent:
- Below 10 FTE the 10-FTE norms apply; from 105 FTE the 105 norms.
- Scores and interpolated norms are rounded half up to two decimals, and the level compares those
  rounded values, so it always agrees with the figures shown. A score equal to a norm reaches it.
- Below trede 1 the estimate is "aspirant" when the score is above 0 (the company already employs or
  buys from the target group and can work towards trede 1), and None when the score is 0. The
  self-scan never estimates "basistrede": that level is granted by the certifying body on criteria
  the scan does not ask about.
- `extra_fte_needed` is the extra target-group FTE (direct or indirect) to reach `next_level` at the
  same total FTE and so the same norms, e.g. by filling existing vacancies from the target group or
  by buying more from PSO/SW suppliers; rounded up to two decimals. The next level after None and
  "aspirant" is trede 1; after trede 3 it is pso_30_plus; after pso_30_plus there is none.
- Expiry: a certificate is "valid" up to and including `valid_until` (as in `pso_counts`),
  "expiring" when `valid_until` is `warn_days` days away or fewer, "expired" from the day after.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from marketplace.domain.money import round_half_up

__all__ = ["NORMS", "PSO_30_PLUS_PERCENT", "SelfScan", "expiry_state", "norms_for", "self_scan"]

# Size class (total FTE) -> norms in percent for trede 1, 2 and 3 (docs/domain.md "PSO").
NORMS: dict[int, tuple[Decimal, Decimal, Decimal]] = {
    10: (Decimal("6.7"), Decimal("9.0"), Decimal("15.5")),
    50: (Decimal("3.0"), Decimal("3.7"), Decimal("6.8")),
    105: (Decimal("1.4"), Decimal("1.9"), Decimal("3.7")),
}
TREDES = ("trede_1", "trede_2", "trede_3")
PSO_30_PLUS_PERCENT = Decimal("30")
_NEXT_LEVEL = {
    None: "trede_1",
    "aspirant": "trede_1",
    "trede_1": "trede_2",
    "trede_2": "trede_3",
    "trede_3": "pso_30_plus",
    "pso_30_plus": None,
}


@dataclass(frozen=True)
class SelfScan:
    """Outcome of a PSO self-scan.

    Score in percent (two decimals), estimated level, the norms for this size, the next level and
    the extra target-group FTE needed to reach it (two decimals, rounded up).
    """

    score_percent: Decimal
    level: str | None
    norms: dict[str, Decimal]
    next_level: str | None
    extra_fte_needed: Decimal | None


def norms_for(total_fte: Decimal | int) -> dict[str, Decimal]:
    """The trede 1/2/3 norms in percent (two decimals) for a company of `total_fte`.

    docs/domain.md: interpolated linearly between size classes; below 10 FTE the 10-FTE norms,
    from 105 FTE the 105-FTE norms.
    """
    total = Fraction(_fte(total_fte, "total_fte"))
    sizes = sorted(NORMS)
    if total <= sizes[0]:
        return _two_decimals_each(NORMS[sizes[0]])
    if total >= sizes[-1]:
        return _two_decimals_each(NORMS[sizes[-1]])
    for low, high in zip(sizes, sizes[1:], strict=False):
        if low <= total < high:
            weight = (total - low) / (high - low)
            values = tuple(
                Fraction(a) + (Fraction(b) - Fraction(a)) * weight
                for a, b in zip(NORMS[low], NORMS[high], strict=True)
            )
            return _two_decimals_each(values)
    raise AssertionError("unreachable: size classes cover every total")  # pragma: no cover


def self_scan(total_fte: Decimal, direct_fte: Decimal, indirect_fte: Decimal) -> SelfScan:
    """Estimate a company's PSO level from its FTE figures (docs/domain.md "PSO" self-scan).

    Raises ValueError when total_fte <= 0, a figure is negative or not a number, or direct +
    indirect exceeds the total.
    """
    total = _fte(total_fte, "total_fte")
    direct = _fte(direct_fte, "direct_fte")
    indirect = _fte(indirect_fte, "indirect_fte")
    if total <= 0:
        raise ValueError("Total FTE must be more than 0.")
    if direct < 0 or indirect < 0:
        raise ValueError("Target-group FTE must not be negative.")
    if direct + indirect > total:
        raise ValueError(
            f"Direct plus indirect target-group FTE ({direct + indirect}) cannot exceed "
            f"the total FTE ({total})."
        )

    target_group = Fraction(direct) + Fraction(indirect)
    score = _two_decimals(target_group / Fraction(total) * 100)
    norms = norms_for(total)

    level: str | None
    if score >= PSO_30_PLUS_PERCENT:
        level = "pso_30_plus"
    else:
        reached = [trede for trede in TREDES if score >= norms[trede]]
        level = reached[-1] if reached else ("aspirant" if score > 0 else None)

    next_level = _NEXT_LEVEL[level]
    extra: Decimal | None = None
    if next_level is not None:
        target = PSO_30_PLUS_PERCENT if next_level == "pso_30_plus" else norms[next_level]
        needed = Fraction(target) * Fraction(total) / 100 - target_group
        extra = max(Decimal(math.ceil(needed * 100)).scaleb(-2), Decimal("0.01"))
    return SelfScan(
        score_percent=score,
        level=level,
        norms=norms,
        next_level=next_level,
        extra_fte_needed=extra,
    )


def expiry_state(valid_until: date, today: date, warn_days: int = 60) -> str:
    """The state of a PSO certificate on `today`: "valid", "expiring" or "expired".

    docs/domain.md: `warn_days` (60) days before valid_until the company is reminded ("expiring",
    the day itself included); after valid_until the level no longer counts ("expired").
    """
    if warn_days < 0:
        raise ValueError("warn_days must not be negative.")
    if today > valid_until:
        return "expired"
    if (valid_until - today).days <= warn_days:
        return "expiring"
    return "valid"


def _fte(value: Decimal | int | float | str, name: str) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number.")
    try:
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, Decimal | int | str):
            number = Decimal(value)
        else:
            raise TypeError(type(value).__name__)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}.") from None
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    return number


def _two_decimals(exact: Fraction) -> Decimal:
    return Decimal(round_half_up(exact * 100)).scaleb(-2)


def _two_decimals_each(values: tuple[Fraction | Decimal, ...]) -> dict[str, Decimal]:
    return {trede: _two_decimals(Fraction(v)) for trede, v in zip(TREDES, values, strict=True)}
