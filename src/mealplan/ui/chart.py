"""The nutrient bars of one day, in the style of Cronometer's (Altair, no Streamlit).

Each nutrient is one bar: its length is the amount as % of the target (the minimum; for a
nutrient with only a limit, such as sodium or keto net carbs, % of that limit), the axis
stops at 200 % (a longer bar is cut there and its text still gives the real value), and
the text on the bar says the amount and the %. An upper limit is a black tick, a colour no
bar uses; bars are green (met), amber (short) or red (over a limit).
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from mealplan.units import amount_text

__all__ = ["AXIS_CAP", "chart_frame", "coverage_chart"]

AXIS_CAP = 200.0  # % of target where the axis stops
STATUS_WORDS = {"ok": "met", "low": "short", "high": "over the limit"}


def _f(x: object) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def chart_frame(frame: pd.DataFrame, day: int) -> pd.DataFrame:
    """One day's rows of :func:`mealplan.ui.plan_table.coverage_frame`, ready to draw.

    Args:
        frame: the coverage frame.
        day: which day.

    Returns:
        Columns nutrient, label, pct (the real %), bar (capped at :data:`AXIS_CAP`),
        limit (the upper limit's position, capped; NaN when there is none), text (on the
        bar, e.g. "412 mg · 129 %"), status (met/short/over the limit) and the tooltip's
        "amount", "target" and "upper limit".
    """
    rows = []
    for r in frame[frame["day"] == day].itertuples():
        value, lo, hi = _f(r.value) or 0.0, _f(r.min), _f(r.max)
        unit = str(r.unit or "")
        ref = lo if lo else hi
        pct = 100.0 * value / ref if ref else math.nan
        limit = (100.0 * hi / ref) if (hi and ref) else math.nan
        amount = f"{amount_text(value)} {unit}".strip()
        text = amount if math.isnan(pct) else f"{amount} · {pct:,.0f} %"
        if not math.isnan(pct) and pct > AXIS_CAP:
            text += " ▸"
        rows.append({
            "nutrient": r.nutrient, "label": r.label, "pct": pct,
            "bar": min(pct, AXIS_CAP) if not math.isnan(pct) else 0.0,
            "limit": min(limit, AXIS_CAP) if not math.isnan(limit) else math.nan,
            "text": text, "status": STATUS_WORDS.get(str(r.status), str(r.status)),
            "amount": amount,
            "target": (f"at least {amount_text(lo)} {unit}" if lo else "no minimum"),
            "upper limit": (f"at most {amount_text(hi)} {unit}" if hi else "none"),
        })
    return pd.DataFrame(rows, columns=["nutrient", "label", "pct", "bar", "limit", "text",
                                       "status", "amount", "target", "upper limit"])


def coverage_chart(frame: pd.DataFrame, day: int) -> alt.LayerChart:
    """One day's nutrient bars (see the module's docstring).

    Args:
        frame: :func:`mealplan.ui.plan_table.coverage_frame`.
        day: which day.

    Returns:
        An Altair layered chart that fits a 390 px phone screen.
    """
    d = chart_frame(frame, day)
    tooltip = [alt.Tooltip("label:N", title="Nutrient"),
               alt.Tooltip("amount:N", title="Amount"),
               alt.Tooltip("target:N", title="Target"),
               alt.Tooltip("upper limit:N", title="Upper limit"),
               alt.Tooltip("status:N", title="Status")]
    x_scale = alt.Scale(domain=[0, AXIS_CAP], clamp=True, nice=False)
    base = alt.Chart(d).encode(
        y=alt.Y("label:N", sort=None, title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=110)))
    bars = base.mark_bar(cornerRadiusEnd=2).encode(
        x=alt.X("bar:Q", scale=x_scale, title="% of target (axis stops at 200 %)",
                axis=alt.Axis(values=[0, 50, 100, 150, 200])),
        color=alt.Color("status:N", legend=alt.Legend(orient="bottom", title=None),
                        scale=alt.Scale(domain=["met", "short", "over the limit"],
                                        range=["#66bb6a", "#ffb300", "#e53935"])),
        tooltip=tooltip)
    text = base.mark_text(align="left", dx=4, fontSize=11, color="#212121").encode(
        x=alt.X("text_x:Q", scale=x_scale), text="text:N", tooltip=tooltip
    ).transform_calculate(text_x="0")
    target = alt.Chart(pd.DataFrame({"x": [100.0]})).mark_rule(
        strokeDash=[4, 3], color="#616161").encode(x=alt.X("x:Q", scale=x_scale))
    limits = base.mark_tick(color="#000000", thickness=3, size=22).encode(
        x=alt.X("limit:Q", scale=x_scale), tooltip=tooltip)
    return alt.LayerChart(layer=[bars, target, limits, text], height=max(200, 28 * len(d)))
