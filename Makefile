# Front door. `make run` and `make test` are the two commands in the README.
.PHONY: setup build run test test-release test-sanitize bench clean

BUILD_DIR    ?= build
SANITIZE_DIR ?= build-sanitize
CMAKE_FLAGS  ?=
CTEST_FLAGS  ?= --output-on-failure --timeout 600

setup:
	@scripts/setup

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: setup $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR)

run: build
	$(BUILD_DIR)/sluice assign --config examples/demo.json --unit user-42 \
	  --attr country=CN --attr platform=ios --attr app_version=8.2.0 --attr is_new_user=true

test: test-release test-sanitize

test-release: build
	cd $(BUILD_DIR) && ctest $(CTEST_FLAGS) -LE bench

$(SANITIZE_DIR)/build.ninja:
	cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=ON \
	  -DSLUICE_BUILD_BENCH=OFF $(CMAKE_FLAGS)

test-sanitize: setup $(SANITIZE_DIR)/build.ninja
	cmake --build $(SANITIZE_DIR)
	cd $(SANITIZE_DIR) && ctest $(CTEST_FLAGS) -LE 'bench|slow|no-sanitize'

bench: build
	bench/run

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR)
