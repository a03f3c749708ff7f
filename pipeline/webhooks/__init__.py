"""Case events to the city's case system by Standard Webhooks, and its signed updates back in.

Pure decisions (signing, retry policy, circuit breaker, routing, payloads) live in their own modules;
``dispatcher``, ``inbound`` and ``redrive`` are the shells that wire them to Kafka and HTTP.
"""
