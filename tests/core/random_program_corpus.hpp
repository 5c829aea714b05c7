// Test helper (header-only): random well-formed LSRL programs for property
// tests. Each program is a DAG over all six primitives plus Slice, with
// random widths (1..6), random weights (small exact rationals, sometimes
// inexact doubles), many branches (inputs are picked from every node built so
// far, Concats may name one node twice), Multis of even widths (including the
// f_ifelse_mul shape Multi(Concat(c, t))), and LinStates whose A has row sums
// of |entries| below 0.9, so the spectral radius is below 1 and values stay
// bounded over a run. The output concatenates every node nothing reads, so
// every branch matters.
#pragma once

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "graph/program.hpp"

namespace lsrl::corpus {

struct RandomProgram {
  Program program;
  bool has_multi = false;
  int node_count = 0;
};

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  bool chance(double p) { return real(0.0, 1.0) < p; }

  // A small weight: mostly exact rationals k/q, sometimes an inexact double.
  Num weight(double scale) {
    if (chance(0.15)) return Num::inexact(real(-1.0, 1.0) * scale);
    static const int kDen[] = {1, 2, 3, 4, 5, 7, 8};
    const int q = kDen[uniform(0, 6)];
    const int k = uniform(-q, q);
    return Num::rational(k, q) * Num(scale);
  }

  NumSparse matrix(int rows, int cols, double density, double scale) {
    std::vector<Eigen::Triplet<Num>> t;
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c)
        if (chance(density)) t.emplace_back(r, c, weight(scale));
    NumSparse m(rows, cols);
    m.setFromTriplets(t.begin(), t.end());
    prune_exact_zeros(m);
    return m;
  }
  NumVector vector(int n, double scale) {
    NumVector v(n);
    for (int i = 0; i < n; ++i) v[i] = chance(0.5) ? weight(scale) : Num(0);
    return v;
  }

  // Row sums of |A| scaled below 0.9 (exactly, in rationals where A is).
  NumSparse contraction(int n) {
    NumSparse A = matrix(n, n, 0.6, 1.0);
    for (int r = 0; r < n; ++r) {
      Num sum(0);
      for (NumSparse::InnerIterator it(A, r); it; ++it) sum += abs(it.value());
      if (sum.to_double() <= 0.9) continue;
      const Num factor = Num::rational(9, 10) / sum;
      for (NumSparse::InnerIterator it(A, r); it; ++it) it.valueRef() = it.value() * factor;
    }
    return A;
  }

  // allow_multi = false: Linears where a Multi would go (programs for the
  // ungated targets).
  RandomProgram program(int min_nodes, int max_nodes, bool allow_multi = true) {
    RandomProgram out;
    Program& p = out.program;
    int line = 0;
    auto at = [&]() { return SourceSpan{++line, 1, 1}; };
    std::vector<NodeId> pool{p.add_input(uniform(1, 6), at())};
    auto pick = [&]() {
      // Recent nodes a little more often: long chains and many branches both.
      if (chance(0.4))
        return pool[static_cast<std::size_t>(
            uniform(std::max(0, static_cast<int>(pool.size()) - 3), static_cast<int>(pool.size()) - 1))];
      return pool[static_cast<std::size_t>(uniform(0, static_cast<int>(pool.size()) - 1))];
    };
    auto dim = [&](NodeId x) { return p.node(x).dim; };
    auto linear_to = [&](NodeId x, int width) {
      return p.add_linear(x, matrix(width, dim(x), 0.6, 1.0 / dim(x)), vector(width, 0.5), at());
    };
    std::vector<NodeId> multi_inputs;
    const int steps = uniform(min_nodes, max_nodes);
    for (int s = 0; s < steps; ++s) {
      NodeId made = kNoNode;
      switch (uniform(0, 6)) {
        case 0:
        case 1:
          made = linear_to(pick(), uniform(1, 6));
          break;
        case 2:
          made = p.add_relu(pick(), at());
          break;
        case 3: {
          const NodeId x = pick();
          const int n = uniform(1, 6);
          made = p.add_linstate(x, contraction(n), matrix(n, dim(x), 0.6, 1.0 / dim(x)), vector(n, 1.0),
                                chance(0.5) ? std::optional<NumVector>(vector(n, 0.5)) : std::nullopt, at());
          break;
        }
        case 4: {
          std::vector<NodeId> xs{pick(), pick()};
          if (chance(0.3)) xs.push_back(chance(0.5) ? xs[0] : pick());
          made = p.add_concat(xs, at());
          break;
        }
        case 5: {
          const NodeId x = pick();
          if (!allow_multi) {
            made = linear_to(x, uniform(1, 6));
          } else if (!multi_inputs.empty() && chance(0.2)) {
            // The same product twice (debranching case 1A merges them).
            made = p.add_multi(
                multi_inputs[static_cast<std::size_t>(uniform(0, static_cast<int>(multi_inputs.size()) - 1))], at());
          } else if (chance(0.4)) {
            // f_ifelse_mul's shape: Multi(Concat(condition, value)).
            const NodeId t = linear_to(pick(), dim(x));
            made = p.add_multi(p.add_concat({x, t}, at()), at());
          } else if (dim(x) % 2 == 0) {
            made = p.add_multi(x, at());
          } else {
            made = p.add_multi(linear_to(x, 2 * uniform(1, 3)), at());
          }
          multi_inputs.push_back(p.node(made).inputs[0]);
          out.has_multi = true;
          break;
        }
        case 6: {
          const NodeId x = pick();
          const int begin = uniform(0, dim(x) - 1);
          made = p.add_slice(x, begin, uniform(begin + 1, dim(x)), at());
          break;
        }
      }
      pool.push_back(made);
    }
    // Output: every node nothing reads (the newest first), so no branch is dead.
    std::vector<char> read(p.size(), 0);
    for (const Node& n : p.nodes())
      for (NodeId in : n.inputs) read[static_cast<std::size_t>(in)] = 1;
    std::vector<NodeId> sinks;
    for (auto it = pool.rbegin(); it != pool.rend(); ++it)
      if (!read[static_cast<std::size_t>(*it)] && std::find(sinks.begin(), sinks.end(), *it) == sinks.end())
        sinks.push_back(*it);
    const NodeId output = sinks.size() == 1 ? sinks[0] : p.add_concat(sinks, at());
    p.set_output(output, at());
    out.node_count = static_cast<int>(p.topological_order().size());
    return out;
  }

  std::vector<std::vector<double>> tokens(int steps, int width) {
    std::vector<std::vector<double>> t(static_cast<std::size_t>(steps),
                                       std::vector<double>(static_cast<std::size_t>(width)));
    for (auto& row : t)
      for (double& v : row) v = real(-1.0, 1.0);
    return t;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace lsrl::corpus
