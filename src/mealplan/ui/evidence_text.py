"""The evidence base as titled text blocks for the Evidence & safety tab (no Streamlit)."""

from __future__ import annotations

__all__ = ["evidence_rows"]


def evidence_rows() -> list[dict[str, str]]:
    """The evidence base as titled Markdown blocks (one per targeted nutrient).

    Raises:
        DataFileError: if the evidence file is invalid.
    """
    from mealplan.evidence import load_evidence, seed_citation

    out = []
    for e in load_evidence().values():
        lines = [f"**Role.** {e.role}", f"**Target.** {e.target}", f"**Why.** {e.why}"]
        if e.foods:
            lines.append("**Foods.** " + ", ".join(e.foods))
        lines += [f"⚠️ {c}" for c in e.cautions]
        if e.sources:
            lines.append("**Sources:** " + "; ".join(e.sources))
        if e.seeds:
            lines.append("**Seed articles** (popular articles this project started from, "
                         "not authoritative; cited by file name): "
                         + "; ".join(seed_citation(s) for s in e.seeds))
        out.append({"column": e.column, "title": e.name,
                    "body": "\n\n".join(lines)})
    return out

