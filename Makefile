# Smelt's two set-up commands:
#   make run    installs what is missing, builds, and generates text
#   make test   runs the whole test suite (what CI runs)
# Both work on a fresh Debian machine; each step does nothing when its work
# is already done.

CONFIG ?= release
SMELT := .build/$(CONFIG)/smelt
RUN_MODEL ?= configs/models/tiny-llama.yaml
RUN_ARGS ?= --backend reference --prompt-ids 1,2,3 -n 16

.PHONY: run test deps model build clean help

help:
	@echo "make run    build and generate text"
	@echo "make test   build and run every test"
	@echo "make deps   install the Debian packages Smelt needs (Vulkan, shaderc, lavapipe)"
	@echo "make build  build the smelt binary ($(SMELT))"

deps:
	@bash scripts/install-deps.sh

build: deps
	swift build -c $(CONFIG) --product smelt

run: build
	$(SMELT) run $(RUN_MODEL) $(RUN_ARGS)

test: deps
	swift build -c $(CONFIG) --build-tests
	swift test -c $(CONFIG) --skip-build

clean:
	rm -rf .build build
