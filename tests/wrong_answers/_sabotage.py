"""The prelude every sabotage answer (``SABOTAGE_ANSWERS`` in tests/wrong_answers/<slug>.py) puts in its function
body: the test cell reloads ``helpers.checks`` before it calls the answer, so the answer switches the freshly loaded
checker off while it runs, then returns a value of the right type and shape but wrong content. Only the plain
``assert`` statements at the end of each hidden test can catch it (docs/CONVENTIONS.md, "Grading integrity").

Use: ``'''\\ndef f(x):''' + CHECKS_OFF + '''\\n    return wrong\\n'''`` (the prelude is indented for a function body).
"""

CHECKS_OFF = """
    import helpers.checks as c
    for name in dir(c):
        if name.startswith("check_") or name in ("fail",):
            setattr(c, name, lambda *a, **k: None)
"""
