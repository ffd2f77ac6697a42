"""Tandem: expert human-data work for AI training, fair to the people who do it."""

import os

# Arrow's bundled allocator (mimalloc) keeps freed batch memory resident: over a large
# export that is ~35 MiB more peak RSS than the system allocator, which returns it and
# measured no slower (docs/benchmarks.md). Read once, when pyarrow is first imported.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
