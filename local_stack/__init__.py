"""The local stack's embedded DynamoDB: moto, made fast, atomic and as strict as AWS.

Development and tests only: Chalice packages `app.py` and `chalicelib/` into the Lambda zip, so
nothing here ever reaches production. `local_stack.emulator.install()` applies every patch.
"""
