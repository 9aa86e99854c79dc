"""Children's services and DSG high-needs deficit forecasting for English councils.

The flow runs one way: assumption files are loaded and validated (``loading``,
``schema``), the pure engine projects both areas (``childrens_services``,
``high_needs``), results are tabulated (``results``) and rendered by the writers
(``excel``, ``output``); the command line (``cli.py``) only wires these together.
"""

__version__ = "0.1.0"
DEFAULT_SEED = 2019  # any fixed seed: the same seed always gives the same draws
