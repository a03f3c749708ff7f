"""The monitoring-room console: live alerts, the case board, map, statistics and operator actions.

Reads only the case projection (so it serves the embedded runner's database and the projection a
Faust deployment maintains alike) and writes only ``CaseUpdate`` messages through an injected sink.
"""
