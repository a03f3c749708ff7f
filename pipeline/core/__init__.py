"""The pure decision core of the stream processors: no Faust, no Kafka, no I/O.

Both the Faust workers and the embedded runner call these functions; tests call them directly.
"""
