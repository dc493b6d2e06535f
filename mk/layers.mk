# mk/layers.mk - folder layering (mk/layers.sh): cmodel <- traces <- engine
# <- reports <- cli, sim beside cli. `make lint-layers` checks the includes
# and, with nm, the calls of the built objects (the co-sim's own objects
# too when a co-sim build is there); `make test-layers` (part of make test)
# shows the check failing on planted back-references and passing on the
# real tree (tests/layers_test.sh).

LAYER_OBJS = $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC) $(CLI_SRC)) $(wildcard $(BUILD)/obj/gen/*.o) \
             $(wildcard $(addprefix $(SIM_BUILD)/small/obj/,$(notdir $(SIM_CPP:.cpp=.o))))

.PHONY: lint-layers test-layers
lint-layers: $(LIB) $(SPATTN)
	@mk/layers.sh $(LAYER_OBJS)

test-layers: $(LIB) $(SPATTN)
	@tests/layers_test.sh $(LAYER_OBJS)

LINT_EXTRA += lint-layers
TEST_EXTRA += test-layers
HELP_EXTRA += "make lint-layers     no \#include or call runs back up cmodel <- traces <- engine <- reports <- cli | sim"
HELP_EXTRA += "make test-layers     the layer check fails on planted back-references, passes on the tree"
