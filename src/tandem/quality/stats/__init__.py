"""Pure NumPy/SciPy statistics over integer-coded arrays: no pandas, no ORM."""

from tandem.quality.stats.encoding import Labels, encode, keep_last
from tandem.quality.stats.labels import METHODS, Aggregation, aggregate, choose_method

__all__ = ["METHODS", "Aggregation", "Labels", "aggregate", "choose_method", "encode", "keep_last"]
