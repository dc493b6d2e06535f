# harden.mk - tests/test_outdir.sh in `make test`: hostile file names and
# gnuplot, the -o rules, signals during run / sweep / trace gen, a full
# disk (a small tmpfs, as root) and a failing stdout.
.PHONY: test-outdir
test-outdir: $(SPATTN)
	@echo "== tests/test_outdir.sh"
	@SPATTN=$(SPATTN) tests/test_outdir.sh

TEST_EXTRA += test-outdir
HELP_EXTRA += "make test-outdir   output directories, file names, signals, full disk, stdout errors (tests/test_outdir.sh)"
