"""The load and fault harness shared by the tests and the benches (not product code).

Real Daphne stacks and their clients (``servers``), headless Chromium (``browser``),
generated PDFs (``pdf``, ``documents``), network namespaces and the multi-host topology
(``netns``, ``multihost``), the room's reconnecting tablets (``roomtablets``), the vote
storm (``storm``) and pre-encoded WebRTC senders (``media_sources``). ``tests/`` and
``bench/`` both import it; nothing in the product does.
"""
