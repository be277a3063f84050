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

# The main job: the server on loopback with the demo workspace (Ctrl-C stops it).
run: build
	$(BUILD_DIR)/sluice serve --demo --data ./sluice-data --listen 127.0.0.1:8080

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
