# Thin wrapper over CMake/CTest.  `make demo` and `make test` install what is
# missing (scripts/setup), configure, build and run.
BUILD   ?= build
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE   ?= cmake
CTEST_ARGS ?=

.PHONY: all setup configure build demo test test-asan test-tsan bench size fuzz format clean

all: build

setup:
	@./scripts/setup

$(BUILD)/CMakeCache.txt:
	$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: setup $(BUILD)/CMakeCache.txt

build: configure
	$(CMAKE) --build $(BUILD) -j $(JOBS)

demo: build
	./$(BUILD)/examples/vsoc_demo $(BUILD)/boards/vsoc.dtb $(BUILD)/firmware $(BUILD)/demo

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: setup
	$(CMAKE) -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DRPROC_SANITIZE=ON
	$(CMAKE) --build $(BUILD)-asan -j $(JOBS)
	cd $(BUILD)-asan && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The concurrency tests under ThreadSanitizer.
test-tsan: setup
	$(CMAKE) -S . -B $(BUILD)-tsan -DCMAKE_BUILD_TYPE=Debug -DRPROC_TSAN=ON
	$(CMAKE) --build $(BUILD)-tsan -j $(JOBS)
	cd $(BUILD)-tsan && ctest --output-on-failure -j $(JOBS) -L tsan $(CTEST_ARGS)

bench: build
	./scripts/bench $(BUILD)

size: setup
	./scripts/size $(BUILD)/size

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-tsan
