"""The exported weights, loaded into PyTorch's own modules through the generated
loader, compute what lsrlc's executors compute.

For rnn, gru and lstm in standard mode (torch.nn.RNN / GRU / LSTM, float64,
CPU) and rnn in paper mode, plus the paper-mode GRU/LSTM and the gated RNN
(whose modules the loader writes out): `lsrlc export --format safetensors`,
import the loader written beside the file, run the same prompt and compare
with `lsrlc run --json` to 1e-9 relative. This is the check that our
executors implement the real architectures.

Run with: /usr/bin/python3 tests/python/test_torch_export.py [path/to/lsrlc]
(default lsrlc: $LSRLC or build/lsrlc).
"""
import importlib.util
import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LSRLC = os.environ.get("LSRLC", os.path.join(ROOT, "build", "lsrlc"))

# (example, input tokens) pairs small enough to export quickly; each exercises
# states, ReLU layers and (gated targets) products.
PROMPTS = {
    "more_ones": "1 0 1 1 0 0 0 1 1 0 1",
    "counter": "2 4 6 8 10 3 1",
    "threshold": None,   # taken from the example's companion file
    "gated_sum": None,
    "modulo": None,
    "delay": None,
}


def companion_tokens(name):
    path = os.path.join(ROOT, "examples", name + ".example.json")
    with open(path) as f:
        companion = json.load(f)
    prompt = companion.get("prompt", {})
    if prompt.get("kind") == "tokens":
        return prompt["text"], companion.get("params", {})
    return None, companion.get("params", {})


def lsrlc(*args):
    done = subprocess.run([LSRLC, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError("lsrlc %s failed:\n%s%s" % (" ".join(args), done.stdout, done.stderr))
    return done.stdout


def load_module(path):
    spec = importlib.util.spec_from_file_location("loader_%d" % abs(hash(path)), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def max_relative_deviation(got, want):
    scale = max([1e-9] + [abs(v) for row in want for v in row])
    worst = 0.0
    assert len(got) == len(want), (len(got), len(want))
    for g_row, w_row in zip(got, want):
        assert len(g_row) == len(w_row)
        for g, w in zip(g_row, w_row):
            worst = max(worst, abs(g - w) / max(abs(w), scale))
    return worst


def read_header(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(length))


class TorchExport(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(LSRLC):
            raise unittest.SkipTest("no lsrlc at " + LSRLC)
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def check(self, example, target, activations, module_names, text=None, extra_params=None):
        if text is None:
            text, params = companion_tokens(example)
            text = PROMPTS.get(example) or text
        else:
            params = {}
        params.update(extra_params or {})
        if text is None:
            self.skipTest(example + " has no plain token prompt")
        program = os.path.join(ROOT, "examples", example + ".lsrl")
        param_args = []
        for key, value in params.items():
            param_args += ["--param", "%s=%s" % (key, value)]
        out = os.path.join(self.tmp.name, "%s_%s_%s.safetensors" % (example, target, activations))
        lsrlc("export", program, "--target", target, "--activations", activations, "--format", "safetensors",
              "-o", out, *param_args)
        loader_path = out[: -len(".safetensors")] + "_loader.py"
        self.assertTrue(os.path.exists(loader_path), "no loader written beside " + out)
        header = read_header(out)
        meta = header["__metadata__"]
        self.assertEqual(meta["target"], target)
        for name, info in header.items():
            if name == "__metadata__":
                continue
            self.assertEqual(info["dtype"], "F64")
        for key in module_names:
            self.assertIn(key, header, "missing state_dict key " + key)

        want = json.loads(lsrlc("run", program, "--target", target, "--activations", activations, "--input", text,
                                "--json", *param_args))["outputs"]
        loader = load_module(loader_path)
        model = loader.build(out)
        got = loader.run(loader.parse_tokens(text), model=model)
        self.last_outputs = got
        deviation = max_relative_deviation(got, want)
        sys.stderr.write("  %-10s %-10s %-9s %3d steps: max relative deviation torch vs lsrlc %.2e\n"
                         % (example, target, activations, len(want), deviation))
        self.assertLessEqual(deviation, 1e-9, "%s %s %s: deviation %g" % (example, target, activations, deviation))
        return model

    def test_rnn_standard_is_torch_nn_rnn(self):
        import torch
        for example in ["more_ones", "counter", "threshold", "delay", "modulo"]:
            with self.subTest(example=example):
                model = self.check(example, "rnn", "standard",
                                   ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
                                    "head.weight", "head.bias", "h0"])
                self.assertIsInstance(model.rnn, torch.nn.RNN)
                self.assertEqual(model.rnn.nonlinearity, "relu")

    def test_rnn_paper_is_torch_nn_rnn(self):
        import torch
        for example in ["more_ones", "counter"]:
            with self.subTest(example=example):
                model = self.check(example, "rnn", "paper", ["rnn.weight_ih_l0", "h0"])
                self.assertIsInstance(model.rnn, torch.nn.RNN)

    def test_gru_standard_is_torch_nn_gru(self):
        import torch
        for example in ["more_ones", "counter", "threshold", "gated_sum", "delay"]:
            with self.subTest(example=example):
                model = self.check(example, "gru", "standard",
                                   ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
                                    "head.weight", "head.bias", "h0"])
                self.assertIsInstance(model.rnn, torch.nn.GRU)

    def test_lstm_standard_is_torch_nn_lstm(self):
        import torch
        for example in ["more_ones", "counter", "threshold", "gated_sum", "delay"]:
            with self.subTest(example=example):
                model = self.check(example, "lstm", "standard",
                                   ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
                                    "head.weight", "head.bias", "h0", "c0"])
                self.assertIsInstance(model.rnn, torch.nn.LSTM)

    def test_dictionary_lookup_in_torch(self):
        """discrete_ua (n = 3, the 25 country/capital pairs, query CAN): the torch
        modules answer OTT, and match lsrlc step by step."""
        vocab = "?ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        with open(os.path.join(ROOT, "examples", "data", "country_capitals.csv")) as f:
            rows = [line.strip().split(",") for line in f.read().splitlines()[1:] if line.strip()]
        prompt = "CAN" + "".join(country + capital for country, capital in rows)
        tokens = " ".join(str(vocab.index(c)) for c in prompt)
        for target, form in [("rnn", "original"), ("gru", "multiplicative"), ("lstm", "multiplicative")]:
            with self.subTest(target=target, form=form):
                self.check("discrete_ua", target, "standard", ["rnn.weight_ih_l0", "head.weight", "h0"], text=tokens,
                           extra_params={"n": "3", "form": form})
                answer = "".join(vocab[int(round(row[0]))] for row in self.last_outputs[-3:])
                self.assertEqual(answer, "OTT")

    def test_paper_mode_gru_lstm_and_gated_rnn_loaders(self):
        for target in ["gru", "lstm"]:
            with self.subTest(target=target):
                self.check("gated_sum", target, "paper", ["rnn.weight_ih_l0", "h0"])
        with self.subTest(target="gated-rnn"):
            self.check("gated_sum", "gated-rnn", "standard", ["layers.0.weight_ih", "layers.0.gamma.weight", "head.weight"])


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        LSRLC = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
