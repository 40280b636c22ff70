# Wyzer front door. Everything real happens in CMake; these targets add the
# dependency step so a fresh Debian 12 machine needs nothing else.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all deps build run demo test bench eval eval-corpus eval-latency eval-barge-live eval-ci soak asan fuzz clean train-wake

# End-to-end evaluation (docs/eval.md). EVAL_SIZE=ci|full, EVAL_SEED=N.
EVAL_SIZE ?= full
EVAL_SEED ?= 1
EVAL_DIR ?= $(BUILD)/eval

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

run: deps build
	$(BUILD)/wyzer

demo: deps build
	@bash scripts/demo.sh $(BUILD)

test: deps build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

bench: deps build
	@bash bench/run.sh $(BUILD)

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWZ_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

fuzz: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWZ_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j$(JOBS)
	@bash fuzz/run.sh $(FUZZ_BUILD) $${FUZZ_SECONDS:-20}

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

eval-corpus: build
	python3 eval/gen_corpus.py --size $(EVAL_SIZE) --seed $(EVAL_SEED) --out $(EVAL_DIR)/corpus

eval: eval-corpus
	python3 eval/run_eval.py --corpus $(EVAL_DIR)/corpus --wyzer $(BUILD)/wyzer --out $(EVAL_DIR)
	python3 eval/latency.py --wyzer $(BUILD)/wyzer --out $(EVAL_DIR)/latency

eval-latency: build
	python3 eval/latency.py --wyzer $(BUILD)/wyzer --out $(EVAL_DIR)/latency

eval-barge-live: build
	bash eval/barge_live.sh $(BUILD) -- --out $(EVAL_DIR)/barge-live

eval-ci: build
	bash eval/ci.sh $(BUILD)

soak: build
	bash eval/soak.sh $(BUILD)

# Retrains the wake word's stage-3 network into data/wake/hey_wyzer.net
# (docs/listening.md, "Stage 3"): four training corpora in voices and
# sentences the evaluation sets do not have, their stage-1 candidates at
# 1e-60, then eval/train_wake.py. About 35 minutes on 2 cores. numpy comes
# from Debian's python3-numpy, hence /usr/bin/python3.
train-wake: deps build
	for s in 7 8 9 10; do \
	  python3 eval/gen_corpus.py --train --seed $$s --out $(EVAL_DIR)/train-$$s && \
	  rm -f $(EVAL_DIR)/train-$$s.dump.* && \
	  $(BUILD)/bench/bench_wake --corpus $(EVAL_DIR)/train-$$s --fresh --jobs $(JOBS) \
	    --dump $(EVAL_DIR)/train-$$s.dump 1e-60 > $(EVAL_DIR)/train-$$s.bench.txt || exit 1; \
	done
	/usr/bin/python3 eval/train_wake.py $(foreach s,7 8 9 10,--train $(EVAL_DIR)/train-$(s).dump) \
	  --out data/wake/hey_wyzer.net
