# Dozvon: the two commands a new machine needs.
#   make demo   install dependencies, build (Release), run the sample
#   make test   install dependencies, build (RelWithDebInfo + tests), run every test
JOBS ?= $(shell nproc)

.PHONY: demo test deps build-release build-test format clean

deps:
	./scripts/deps.sh

build-release: deps
	cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DDOZVON_TESTS=OFF
	cmake --build build/release -j $(JOBS)

build-test: deps
	cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDOZVON_TESTS=ON
	cmake --build build/test -j $(JOBS)

demo: build-release
	./scripts/demo.sh build/release/dozvon

test: build-test
	cd build/test && ctest --output-on-failure -j $(JOBS) --timeout 600

format:
	find src bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build
