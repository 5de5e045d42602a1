# One entry point for people and CI: every target creates the virtualenv it needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
# CDK, its constructs and Chalice's CDK construct: the infra tests synthesize the stack in-process.
INFRA_STAMP := $(VENV)/.installed-infra
# The CDK CLI (npm, pinned in infra/package-lock.json): only deploy and destroy need it.
CDK := infra/node_modules/.bin/cdk
STAGE ?= dev
# The CLI runs infra/app.py with the venv's python3; jsii prints a Node 20 end-of-life banner
# at every synth unless silenced; the CLI reports telemetry unless told not to.
CDK_ENV := PATH="$(abspath $(VENV))/bin:$$PATH" JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 \
	CDK_DISABLE_CLI_TELEMETRY=true
CDK_FLAGS := --no-notices -c stage=$(STAGE) $(CDK_ARGS)

.PHONY: run test bench deploy destroy clean

# Checked before anything is installed: production tables are retained and protected anyway.
ifeq ($(filter destroy,$(MAKECMDGOALS)):$(STAGE),destroy:prod)
$(error make destroy refuses the production stage; delete it by hand if you really mean it)
endif

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

$(INFRA_STAMP): $(STAMP) infra/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r infra/requirements.txt
	touch $(INFRA_STAMP)

$(CDK): infra/package.json infra/package-lock.json
	npm ci --prefix infra --no-audit --no-fund
	touch $(CDK)

## make run [FRESH=1]: local stack (embedded DynamoDB + API) on PORT (8000) and DYNAMODB_PORT
## (8001); data kept in CRM_DATA_DIR (.crm-data/), FRESH=1 starts it empty
run: $(STAMP)
	FRESH=$(FRESH) exec $(PY) run_local.py

## make test: the whole suite (pytest exits non-zero on failures and when no test ran)
test: $(STAMP) $(INFRA_STAMP)
	$(PY) -m pytest

## make bench: DynamoDB call counts and overhead ratios -> bench/results.json
bench: $(STAMP)
	$(PY) -m bench

## make deploy [STAGE=dev|prod|...] [CDK_ARGS="-c throttle_rate_limit=200"]: deploy one stage to
## the AWS account and region of the current credentials; prints the API URL and admin commands
deploy: $(INFRA_STAMP) $(CDK)
	rm -rf infra/chalice.out .chalice/deployments
	cd infra && $(CDK_ENV) node_modules/.bin/cdk bootstrap $(CDK_FLAGS)
	cd infra && $(CDK_ENV) node_modules/.bin/cdk deploy --all --require-approval never \
		--outputs-file outputs-$(STAGE).json $(CDK_FLAGS)
	rm -rf infra/chalice.out .chalice/deployments
	$(PY) infra/print_admin_env.py --stage $(STAGE) --instructions

## make destroy STAGE=NAME: delete a non-production stage and its data (prod is refused)
destroy: $(INFRA_STAMP) $(CDK)
	cd infra && $(CDK_ENV) node_modules/.bin/cdk destroy --all --force $(CDK_FLAGS)
	rm -rf infra/chalice.out infra/cdk.out infra/outputs-$(STAGE).json .chalice/deployments

clean:
	rm -rf $(VENV) .pytest_cache infra/cdk.out infra/chalice.out infra/node_modules \
		cdk.out chalice.out .chalice/deployments
