/* config_keys.h: every configuration key, in one table.
 *
 * X(section, key, type, default, min, max, choices, help)
 *   type     STR, INT, DBL or BOOL
 *   default  always a string, parsed by the same code as file values
 *   min/max  bounds for INT and DBL (ignored otherwise)
 *   choices  "a|b|c" for STR keys with a fixed set of values, else ""
 *
 * Adding a key is one line here; the struct field is cfg->section_key, the
 * environment variable WYZER_SECTION_KEY, and wyzer.conf.example must
 * document it (a test checks). */
#ifndef WZ_CONFIG_KEYS_H
#define WZ_CONFIG_KEYS_H

#define CONFIG_KEYS(X) \
    X(log, level, STR, "info", 0, 0, "debug|info|warn|error", "log verbosity on stderr") \
    X(ipc, queue_capacity, INT, "50", 4, 100000, "", "messages per queue (core_to_brain, brain_to_core)") \
    X(ipc, max_message_bytes, INT, "65536", 4096, 16777216, "", "largest IPC message, header included; bigger ones are rejected") \
    X(ipc, control_reserve, INT, "8", 1, 1000, "", "queue slots kept free for control messages when core sends audio") \
    X(supervisor, heartbeat_ms, INT, "500", 50, 60000, "", "heartbeat interval in both directions") \
    X(supervisor, heartbeat_misses, INT, "6", 2, 1000, "", "missed intervals before a live worker counts as hung") \
    X(supervisor, restart_backoff_max_ms, INT, "8000", 100, 600000, "", "cap on the delay between restarts") \
    X(supervisor, max_restarts, INT, "5", 1, 1000, "", "crashes of one worker within restart_window_s before wyzer gives up") \
    X(supervisor, restart_window_s, INT, "60", 1, 86400, "", "window for max_restarts") \
    X(audio, input_device, STR, "", 0, 0, "", "capture device: name substring or index (empty: default)") \
    X(audio, output_device, STR, "", 0, 0, "", "playback device: name substring or index (empty: default)") \
    X(audio, frame_ms, INT, "20", 10, 30, "", "processing frame in ms (10, 20 or 30)") \
    X(audio, realtime_priority, INT, "10", 0, 99, "", "SCHED_FIFO priority of the core's frame thread when the input is live or real-time (0: normal scheduling)") \
    X(audio, output_latency_ms, INT, "60", 0, 500, "", "playback buffer PortAudio is asked for, in ms (0: the device default low latency); smaller stops a barge-in sooner, but through the ALSA pulse plugin 20-40 ms underran every 10-30 s") \
    X(audio, prefill_ms, INT, "60", 0, 2000, "", "playback jitter buffer filled before speech starts") \
    X(wake, words, STR, "hey wyzer/1e-40/", 0, 0, "", "wake phrases with thresholds: phrase/threshold/, comma separated") \
    X(wake, refractory_ms, INT, "1500", 0, 60000, "", "ignore further wake words for this long after one") \
    X(wake, enabled, BOOL, "true", 0, 0, "", "false: any speech starts a turn (same as --no-hotword)") \
    X(wake, net, STR, "", 0, 0, "", "stage-3 network that checks a hey wyzer (empty: data/wake/hey_wyzer.net; none: off)") \
    X(wake, net_threshold, DBL, "0.5", 0, 1, "", "stage 3 passes a hey wyzer that scores at least this (higher: fewer false wakes, more misses)") \
    X(wake, net_threshold_exact, DBL, "0.2", 0, 1, "", "the same, when stage 2 heard the phrase word for word rather than by its hey-why rule") \
    X(listen, start_timeout_ms, INT, "5000", 500, 60000, "", "after a wake word, wait this long for speech") \
    X(listen, end_silence_ms, INT, "500", 100, 5000, "", "silence that ends an utterance (bench_endpoint: shortest with no cut commands)") \
    X(listen, min_speech_ms, INT, "250", 0, 2000, "", "after a wake word, shorter speech then silence is the wake word's tail, not the request") \
    X(listen, complete_silence_ms, INT, "250", 0, 5000, "", "silence that ends an utterance the brain already reads as a whole command (0: off; at most end_silence_ms; eval/endpoint_complete.py)") \
    X(listen, closed_silence_ms, INT, "120", 0, 5000, "", "silence that ends a whole command no more words could change, like: what time is it (0: as complete_silence_ms; at most complete_silence_ms; eval/endpoint_complete.py)") \
    X(listen, max_ms, INT, "10000", 1000, 120000, "", "longest utterance") \
    X(followup, ms, INT, "5000", 0, 60000, "", "listen without a wake word after a question") \
    X(bargein, stop_phrase, STR, "stop", 0, 0, "", "phrase that stops a reply without a new request") \
    X(bargein, echo_check, BOOL, "true", 0, 0, "", "ignore a wake word or stop phrase that is the reply's own echo (echo_guard_db, echo_margin_db)") \
    X(bargein, echo_guard_db, DBL, "20", 0, 80, "", "during playback, ignore a wake word or stop phrase the echo canceller took more than this (dB) out of; 0 = off") \
    X(bargein, echo_margin_db, DBL, "8", 0, 40, "", "during playback, a wake word or stop phrase whose level neither follows the reply nor clearly departs from it must keep this much (dB) more through the echo canceller than the echo does") \
    X(bargein, hold, BOOL, "true", 0, 0, "", "pause the reply from the first part of a wake word heard over it (hey W AY Z) or a stop phrase until it is checked, and play on if it is rejected (60-300 ms)") \
    X(aec, enabled, BOOL, "true", 0, 0, "", "echo cancellation while speaking") \
    X(aec, tail_ms, INT, "128", 16, 1000, "", "echo canceller filter length") \
    X(stt, engine, STR, "pocketsphinx", 0, 0, "pocketsphinx|whisper-server|openai", "speech-to-text engine") \
    X(stt, hmm, STR, "/usr/share/pocketsphinx/model/en-us/en-us", 0, 0, "", "PocketSphinx acoustic model directory") \
    X(stt, lm, STR, "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin", 0, 0, "", "PocketSphinx language model") \
    X(stt, dict, STR, "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict", 0, 0, "", "PocketSphinx pronunciation dictionary") \
    X(stt, url, STR, "http://127.0.0.1:8080", 0, 0, "", "Whisper server base URL") \
    X(stt, model, STR, "whisper-1", 0, 0, "", "model name sent to OpenAI-compatible servers") \
    X(stt, api_key, STR, "", 0, 0, "", "bearer token for OpenAI-compatible servers") \
    X(stt, timeout_ms, INT, "15000", 100, 600000, "", "Whisper request timeout") \
    X(tts, engine, STR, "flite", 0, 0, "flite|piper", "text-to-speech engine") \
    X(tts, voice, STR, "rms", 0, 0, "slt|awb|rms|kal16", "Flite voice (rms: most intelligible of the natural-sounding voices, docs/speech.md)") \
    X(tts, piper_binary, STR, "piper", 0, 0, "", "Piper executable") \
    X(tts, piper_model, STR, "", 0, 0, "", "Piper voice model (.onnx; its .onnx.json gives the rate)") \
    X(tts, piper_speaker, INT, "-1", -1, 10000, "", "Piper speaker id (-1: model default)") \
    X(llm, backend, STR, "none", 0, 0, "none|ollama|openai", "LLM for requests the router does not handle") \
    X(llm, url, STR, "http://127.0.0.1:11434", 0, 0, "", "LLM server base URL") \
    X(llm, model, STR, "llama3.2", 0, 0, "", "model name") \
    X(llm, api_key, STR, "", 0, 0, "", "bearer token for OpenAI-compatible servers") \
    X(llm, temperature, DBL, "0.7", 0, 2, "", "sampling temperature") \
    X(llm, num_ctx, INT, "4096", 256, 1048576, "", "Ollama context window") \
    X(llm, keep_alive, STR, "5m", 0, 0, "", "Ollama keep_alive") \
    X(llm, max_tool_steps, INT, "4", 0, 32, "", "tool-call rounds per request") \
    X(llm, history_turns, INT, "6", 0, 100, "", "conversation turns sent as context") \
    X(llm, system_prompt_file, STR, "", 0, 0, "", "system prompt file (empty: data/system_prompt.txt)") \
    X(llm, connect_timeout_ms, INT, "3000", 100, 600000, "", "connect timeout") \
    X(llm, first_token_timeout_ms, INT, "20000", 100, 600000, "", "time allowed until the first token") \
    X(llm, total_timeout_ms, INT, "120000", 100, 3600000, "", "time allowed for a whole reply") \
    X(weather, latitude, DBL, "0", -90, 90, "", "forecast latitude (with longitude; 0,0 means unset)") \
    X(weather, longitude, DBL, "0", -180, 180, "", "forecast longitude") \
    X(weather, url, STR, "https://api.open-meteo.com", 0, 0, "", "Open-Meteo forecast base URL") \
    X(weather, geocode_url, STR, "https://geocoding-api.open-meteo.com", 0, 0, "", "Open-Meteo geocoding base URL") \
    X(search, url, STR, "https://duckduckgo.com/?q=%s", 0, 0, "", "web_search URL; %s is the query") \
    X(paths, data_dir, STR, "", 0, 0, "", "Wyzer's data files (empty: next to the binary, then /usr/share/wyzer)") \
    X(paths, state_dir, STR, "", 0, 0, "", "timers (empty: $XDG_STATE_HOME/wyzer)") \
    X(paths, memory_dir, STR, "", 0, 0, "", "remembered facts (empty: $XDG_DATA_HOME/wyzer)")

#endif
