"""mealplan: meal plans for people easing nocturnal leg cramps.

A food table (USDA SR28 values, literature vitamin K2) and DRI-based targets feed a
PuLP + HiGHS optimiser; every plan is verified by an independent recomputation.
Not medical advice.
"""

__version__ = "0.1.0"

DISCLAIMER = (
    "Not medical advice. mealplan suggests food combinations from published nutrient data; "
    "it does not diagnose or treat leg cramps. Talk to your doctor or a dietitian, especially "
    "if you take warfarin or another vitamin K antagonist (vitamin K intake must stay steady), "
    "have kidney disease (potassium, phosphorus and magnesium may need limits), are pregnant, "
    "or take medicines that affect potassium."
)

__all__ = ["DISCLAIMER", "__version__"]
