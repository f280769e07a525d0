# Dozvon: the two commands a new machine needs.
#   make demo   install dependencies, build (Release), run the sample
#   make test   install dependencies, build (RelWithDebInfo + tests), run every test
#   make install   the Release binary to $(PREFIX)/bin, examples and docs to $(PREFIX)/share/doc/dozvon
#                  (DESTDIR=... stages it for a package)
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local

.PHONY: demo test deps build-release build-test install format clean

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

install: build-release
	cmake --install build/release --prefix $(PREFIX)

format:
	find src bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build
