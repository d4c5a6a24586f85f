"""Release to release: the accepted releases a run is gated against (``store``), the machine a figure was measured
on (``fingerprint``) and the comparisons, each a ``CheckRecord`` counted in the RELEASE line (``compare``)."""
