"""Names of the lines the model computes itself, which items in a set may not take.

Provisions, fixed high-needs lines and the lines the engine adds (post-16 plans, alternative
provision, further savings, the reconciliation) share one set of names: ``ehcp.<name>``,
``cost_per_place.<name>`` and ``expenditure.<name>``. An item named like a computed line
would replace it or be replaced without a word, so validation refuses it.
"""

from __future__ import annotations

POST16 = "post16"  # plans of 16-25 year olds, beside the school-age provisions
POST16_LABEL = "Post-16 FE and specialist post-16 (16-25)"  # how a reader sees them
ALTERNATIVE_PROVISION = "alternative_provision"  # places for permanently excluded pupils
FURTHER_SAVINGS = "additional_savings"  # the mitigation line `forecast solve` sizes
RECONCILIATION = "reconciliation"  # the calibration line
HIGH_NEEDS_COMPUTED = (POST16, ALTERNATIVE_PROVISION, FURTHER_SAVINGS, RECONCILIATION)

# ``reduces`` of a saving that falls outside children's social care (other council services)
OTHER_SERVICES = "other_services"

# What `forecast solve` can size to clear the deficit: the further high-needs savings, the
# schools-block transfer, or the yearly growth of EHCPs (named here, apart from the solver,
# so the command line can offer them without loading the engine)
LEVERS = ("savings", "transfer", "ehcp_growth")
