"""The AWS deployment: a CDK app around the Chalice app (never packaged into the Lambda zip)."""
