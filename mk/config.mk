# mk/config.mk - configs: every shipped config must load through the CLI
# (`spattn config show`), and what it prints must load again unchanged.
# The unit test tests/test_config.c covers the loader itself.

CONFIG_FILES := $(sort $(wildcard configs/*.yaml))

.PHONY: config-check
config-check: $(SPATTN)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for f in $(CONFIG_FILES); do \
	  $(SPATTN) config show $$f > "$$tmp/a.yaml" || exit 1; \
	  $(SPATTN) config show "$$tmp/a.yaml" | sed 1d > "$$tmp/b.yaml" || exit 1; \
	  sed 1d "$$tmp/a.yaml" | cmp -s - "$$tmp/b.yaml" || { echo "config-check: $$f does not print back the same" >&2; exit 1; }; \
	done; echo "config-check: $(words $(CONFIG_FILES)) configs load and print back the same"

TEST_EXTRA += config-check
HELP_EXTRA += "make config-check  load every configs/*.yaml through spattn config show, print, load again"
