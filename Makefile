# sales_team_queue: the two commands are `make run` and `make test`.
# Variables: ODOO_SRC (Odoo 18 source, default /opt/odoo/18.0), PGHOST/PGPORT/PGUSER/
# PGPASSWORD (an existing PostgreSQL; default: the local cluster), HTTP_PORT (8069),
# RUN_DB, TEST_DB, CORE_DB (database names).
SHELL := /bin/bash

.PHONY: help setup run test test-core test-setup test-upgrade test-wheel test-replica lint bench screenshots readme i18n ci clean

help:
	@echo "make setup      virtualenv with Odoo 18's packages and the test/lint tools"
	@echo "make run        demo database with the module, Odoo on http://localhost:8069"
	@echo "make test       fresh test database + the module's tests (pytest-odoo, tours)"
	@echo "make test-core  Odoo's own tests of crm, sales_team and the add-ons extending crm, module installed"
	@echo "make test-setup how setup gets Odoo's source (clone of ODOO_GIT_URL), on a local repository"
	@echo "make test-upgrade  upgrade from the previous version of the module keeps all data"
	@echo "make test-wheel the add-on as a wheel (whool), installed by pip, then by Odoo from there"
	@echo "make test-replica  (as root: creates a PostgreSQL cluster) the pool, dashboard, reports"
	@echo "                and Test Routing served by a streaming replica on port 5433, writes by the primary"
	@echo "make lint       ruff, pylint-odoo mandatory checks, OCA module and .po checks, README.rst"
	@echo "make bench      routing benchmark against Odoo's own assignment"
	@echo "make screenshots  the README's pictures, from the demo in a headless Chromium"
	@echo "make readme     rebuild sales_team_queue/README.rst from readme/*.md"
	@echo "make i18n       export the .pot and merge it into th, zh_CN, vi .po files"

setup:
	@bash tools/setup.sh

run: setup
	@bash tools/run.sh

test: setup
	@bash tools/test.sh

test-core: setup
	@bash tools/test-core.sh

test-setup:
	@bash tools/test-setup.sh

test-upgrade: setup
	@bash tools/test-upgrade.sh

test-wheel: setup
	@bash tools/test-wheel.sh

test-replica: setup
	@bash tools/test-replica.sh

lint: setup
	@bash tools/lint.sh

bench: setup
	@bash tools/bench.sh

screenshots: setup
	@bash tools/screenshots.sh

readme:
	@python3 tools/gen_readme.py sales_team_queue
	@python3 tools/gen_readme.py sales_team_queue_website_crm
	@python3 tools/gen_readme.py sales_team_queue_event_crm
	@python3 tools/gen_readme.py sales_team_queue_mass_mailing_crm
	@python3 tools/gen_readme.py sales_team_queue_website_crm_partner_assign

i18n: setup
	@bash tools/i18n.sh

ci: lint test-setup test-wheel test-core test-upgrade test

clean:
	rm -rf .odoo .pytest_cache .ruff_cache
