# Smelt's two set-up commands:
#   make run    installs what is missing, builds, and generates text
#   make test   runs the whole test suite (what CI runs)
# Both work on a fresh Debian machine; each step does nothing when its work
# is already done.

CONFIG ?= release
SMELT := .build/$(CONFIG)/smelt
# Tests use @testable imports, so release builds enable testing; the binary
# is built with the same flags so `make run` and `make test` share one build.
SWIFT_FLAGS ?= -Xswiftc -enable-testing
MODEL_CONFIG ?= configs/models/gemma3-270m.yaml
ARTIFACT ?= build/gemma3-270m.smelt
PROMPT ?= The history of the printing press began
RUN_ARGS ?= -n 48

.PHONY: run test deps model build clean help

help:
	@echo "make run    build, compile Gemma-3 into $(ARTIFACT), generate text on Vulkan"
	@echo "make test   build and run every test"
	@echo "make model  fetch Gemma-3 270M (Q4_K_M GGUF) into models/"
	@echo "make deps   install the Debian packages Smelt needs (Vulkan, shaderc, lavapipe)"
	@echo "make build  build the smelt binary ($(SMELT))"

deps:
	@bash scripts/install-deps.sh

model:
	@bash scripts/fetch-model.sh

build: deps
	swift build -c $(CONFIG) --product smelt $(SWIFT_FLAGS)

# The artifact is compiled once; it is remade when the binary, the config,
# the graph or the model change.
$(ARTIFACT): $(SMELT) $(MODEL_CONFIG) Graphs/gemma3.graph models/gemma-3-270m-q4_k_m.gguf
	$(SMELT) compile $(MODEL_CONFIG) -o $(ARTIFACT)

run: build model
	@$(MAKE) --no-print-directory $(ARTIFACT)
	$(SMELT) run $(ARTIFACT) $(RUN_ARGS) --prompt "$(PROMPT)"

test: deps model
	swift build -c $(CONFIG) --build-tests $(SWIFT_FLAGS)
	swift test -c $(CONFIG) --skip-build

clean:
	rm -rf .build build
