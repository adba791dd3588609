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
RUN_MODEL ?= configs/models/gemma3-270m.yaml
PROMPT ?= The history of the printing press began
RUN_ARGS ?= --backend reference -n 48

.PHONY: run test deps model build clean help

help:
	@echo "make run    build and generate text"
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

run: build model
	$(SMELT) run $(RUN_MODEL) $(RUN_ARGS) --prompt "$(PROMPT)"

test: deps model
	swift build -c $(CONFIG) --build-tests $(SWIFT_FLAGS)
	swift test -c $(CONFIG) --skip-build

clean:
	rm -rf .build build
