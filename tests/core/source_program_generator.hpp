// Random valid LSRL programs as SOURCE TEXT, so the generated-program tests reach
// the front end and every rewrite the way users' programs do:
// every primitive and every sugar function of docs/language.md, constants of
// every kind (dyadic 0.5, non-dyadic 0.1 and 1/3, zero, huge 1e10,
// negative), shared constant nodes, two constants read by one node,
// LinStates that are counters, rotations (f_modulo_counter), shift
// registers and contractions, and prompts with integer and large tokens
// (|x| <= 1e6, the default declared input domain). The programs go through
// the front end like a user's; generated_programs_test.cpp and the
// regression suite compare every target with the program's own semantics.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace lsrl::gen {

struct SourceProgram {
  std::string source;
  bool has_multi = false;  // the program multiplies (Multi, f_ifelse_mul)
  int input_dim = 1;
};

class SourceGenerator {
 public:
  explicit SourceGenerator(std::uint64_t seed) : rng_(seed) {}

  // A program of about `ops` statements; `allow_multi` lets it use Multi
  // and f_ifelse_mul (then only gated targets can run it).
  SourceProgram program(int ops, bool allow_multi) {
    vars_.clear();
    text_.clear();
    has_multi_ = false;
    allow_multi_ = allow_multi;
    next_name_ = 0;
    const int input_dim = 1 + pick(3);
    text_ += "input = Input(dim=" + std::to_string(input_dim) + ")\n";
    vars_.push_back({"input", input_dim});
    // A shared constant node, read by several statements below.
    if (chance(0.6)) emit("f_constant(input, " + constant() + ")", 1);
    for (int k = 0; k < ops; ++k) statement();
    // Output: one to three of the last variables, one of them often a
    // constant reader (the shape that once made debranching loop).
    std::vector<std::string> outs;
    const int n_out = 1 + pick(3);
    for (int k = 0; k < n_out; ++k)
      outs.push_back(
          vars_[vars_.size() - 1 - static_cast<std::size_t>(pick(std::min<int>(4, static_cast<int>(vars_.size()))))]
              .name);
    if (outs.size() == 1) {
      text_ += "return " + outs[0] + "\n";
    } else {
      text_ += "return Concat([" + join(outs) + "])\n";
    }
    return {text_, has_multi_, input_dim};
  }

  // Prompts inside the declared default domain: small integers, large
  // integers up to 1e6, reals in [-1, 1], 0/1 flags; 1 to 12 tokens.
  std::vector<std::vector<double>> prompt(int input_dim) {
    const int length = 1 + pick(12);
    const int style = pick(4);
    std::vector<std::vector<double>> tokens(static_cast<std::size_t>(length),
                                            std::vector<double>(static_cast<std::size_t>(input_dim)));
    for (auto& token : tokens)
      for (double& x : token) {
        switch (style) {
          case 0:
            x = pick(11) - 5;
            break;
          case 1:
            x = chance(0.5) ? pick(2000001) - 1000000.0 : pick(21) - 10.0;
            break;
          case 2:
            x = std::uniform_real_distribution<double>(-1, 1)(rng_);
            break;
          default:
            x = pick(2);
            break;
        }
      }
    return tokens;
  }

 private:
  struct Var {
    std::string name;
    int dim;
  };

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  // Constants of every kind the language's users write.
  std::string constant() {
    static const char* const kConstants[] = {"0.5", "0.1",   "1/3", "0",    "1e10", "-2",  "3",
                                             "1",   "-0.25", "7",   "-0.1", "2/3",  "1e6", "-1"};
    return kConstants[pick(static_cast<int>(std::size(kConstants)))];
  }
  std::string small_constant() {
    static const char* const kConstants[] = {"0.5", "0.1", "1/3", "0", "-2", "3", "1", "-0.25", "2", "-1"};
    return kConstants[pick(static_cast<int>(std::size(kConstants)))];
  }
  std::string mu() {
    static const char* const kMu[] = {"1000", "10", "1", "0.5"};
    return kMu[pick(4)];
  }
  std::string lam() { return chance(0.7) ? "1e10" : "1e7"; }

  static std::string join(const std::vector<std::string>& xs) {
    std::string s;
    for (const auto& x : xs) s += (s.empty() ? "" : ", ") + x;
    return s;
  }
  std::string matrix(int rows, int cols, bool allow_huge) {
    std::string s = "[";
    for (int r = 0; r < rows; ++r) {
      s += r ? ", [" : "[";
      for (int c = 0; c < cols; ++c)
        s += (c ? ", " : "") + (chance(0.3) ? std::string("0") : (allow_huge ? constant() : small_constant()));
      s += "]";
    }
    return s + "]";
  }
  std::string vector_of(int n, bool allow_huge) {
    std::string s = "[";
    for (int i = 0; i < n; ++i) s += (i ? ", " : "") + (allow_huge ? constant() : small_constant());
    return s + "]";
  }

  const Var& any() { return vars_[static_cast<std::size_t>(pick(static_cast<int>(vars_.size())))]; }
  // A recent variable (deep programs branch more than wide ones).
  const Var& recent() {
    const int n = static_cast<int>(vars_.size());
    return vars_[static_cast<std::size_t>(n - 1 - pick(std::min(n, 4)))];
  }
  // `x` cut or padded to width `dim`, as an expression.
  std::string as_width(const Var& x, int dim) {
    if (x.dim == dim) return x.name;
    if (x.dim > dim) return x.name + "[0:" + std::to_string(dim) + "]";
    return "Linear(" + x.name + ", ones(" + std::to_string(dim) + ", " + std::to_string(x.dim) + "), zeros(" +
           std::to_string(dim) + "))";
  }

  void emit(const std::string& expr, int dim) {
    // Appended, not "v" + std::string&& (GCC 12's -Wrestrict false positive).
    std::string name = "v";
    name += std::to_string(next_name_++);
    text_ += name + " = " + expr + "\n";
    vars_.push_back({name, dim});
  }

  void statement() {
    const Var x = chance(0.6) ? recent() : any();
    const Var y = any();
    const int d = x.dim;
    const std::string X = x.name;
    const std::string Y = as_width(y, d);
    const std::string ds = std::to_string(d);
    switch (pick(36)) {
      case 0: {
        const int out = 1 + pick(3);
        emit("Linear(" + X + ", " + matrix(out, d, false) + ", " + vector_of(out, chance(0.3)) + ")", out);
        break;
      }
      case 1:
        emit("ReLU(" + X + ")", d);
        break;
      case 2: {  // a counter (A = 1), of a constant or of the input
        emit("LinState(" + (chance(0.5) ? std::string("f_constant(input, 1)") : as_width(x, 1)) +
                 ", A=[[1]], B=[[1]], init_state=[[" + small_constant() + "]])",
             1);
        break;
      }
      case 3: {  // a contraction with a bias
        emit("LinState(" + X + ", A=diag([" + repeat("0.5", d) + "]), B=eye(" + ds + "), init_state=zeros(" + ds +
                 "), bias=" + vector_of(d, false) + ")",
             d);
        break;
      }
      case 4: {  // a shift register over a 1-wide value
        const int k = 1 + pick(3);
        std::string shift = "[";
        std::string write = "[";
        for (int i = 0; i <= k; ++i) {
          shift += i ? ", [" : "[";
          for (int j = 0; j <= k; ++j) shift += std::string(j ? ", " : "") + (j == i + 1 ? "1" : "0");
          shift += "]";
          write += std::string(i ? ", " : "") + (i == k ? "[1]" : "[0]");
        }
        emit("LinState(" + as_width(x, 1) + ", A=" + shift + "], B=" + write + "], init_state=zeros(" +
                 std::to_string(k + 1) + "))",
             k + 1);
        break;
      }
      case 5:
        if (chance(0.5)) {
          emit("Concat([" + X + ", " + y.name + "])", d + y.dim);
        } else {  // one node read by a Concat and a ReLU (cases 4, 9, 10)
          const bool twice = chance(0.5);
          emit("Concat([ReLU(" + X + "), " + X + ", " + (twice ? X : y.name) + "])", 2 * d + (twice ? d : y.dim));
        }
        break;
      case 6:
        if (allow_multi_ && d % 2 == 0) {
          has_multi_ = true;
          emit("Multi(" + X + ")", d / 2);
        } else if (allow_multi_ && chance(0.5)) {
          // Two Multis of one node (case 1A), and that node read by others too (1B).
          has_multi_ = true;
          emit(as_width(x, 2), 2);
          const std::string pair = vars_.back().name;
          emit("Multi(" + pair + ") + Multi(" + pair + ")", 1);
          if (chance(0.5)) emit(pair + "[0] - Multi(" + pair + ")", 1);
        } else if (allow_multi_) {
          has_multi_ = true;
          emit("Multi(Concat([" + X + ", " + Y + "]))", d);
        } else {
          emit("ReLU(" + X + " - " + Y + ")", d);
        }
        break;
      case 7:
        emit(X + "[" + std::to_string(pick(d)) + "]", 1);
        break;
      case 8: {
        const int a = pick(d);
        const int b = a + 1 + pick(d - a);
        emit(X + "[" + std::to_string(a) + ":" + std::to_string(b) + "]", b - a);
        break;
      }
      case 9:
        emit("f_constant(" + X + ", " + constant() + ")", 1);
        break;
      case 10:
        emit("f_step(" + X + ", " + mu() + ")", d);
        break;
      case 11:
        emit("f_bump(" + X + ", " + small_constant() + ", 3, " + mu() + ")", d);
        break;
      case 12:
        emit("f_not(" + X + ")", d);
        break;
      case 13:
        emit("f_and(" + X + ", " + Y + ", " + mu() + ")", d);
        break;
      case 14:
        emit("f_or(" + X + ", " + Y + ", " + mu() + ")", d);
        break;
      case 15:
        emit("f_larger(" + X + ", " + (chance(0.5) ? Y : small_constant()) + ", " + mu() + ")", d);
        break;
      case 16:
        emit("f_smaller(" + X + ", " + (chance(0.5) ? Y : small_constant()) + ", " + mu() + ")", d);
        break;
      case 17:
        emit(std::string(chance(0.5) ? "f_eq(" : "f_neq(") + X + ", " + (chance(0.5) ? Y : small_constant()) + ", " +
                 mu() + ")",
             d);
        break;
      case 18:
        emit("f_ifeq(" + X + ", " + Y + ", " + X + ", " + Y + ")", d);
        break;
      case 19:
        emit("f_ifelse(f_step(" + X + ", " + mu() + "), " + X + ", " + Y + ", " + lam() + ")", d);
        break;
      case 20: {
        const std::string t = branch(x, y, d);
        std::string f = branch(y, x, d);
        if (t == "None" && f == "None") f = Y;
        emit("f_ifelse_opt(f_larger(" + X + ", 0.5), " + t + ", " + f + ", " + lam() + ")", d);
        break;
      }
      case 21:
        emit("f_ifelse_step(f_step(" + X + "), " + X + ", " + Y + ", " + lam() + ", " + mu() + ")", d);
        break;
      case 22:
        if (allow_multi_) {
          has_multi_ = true;
          const bool t_none = chance(0.3);
          const bool f_none = !t_none && chance(0.4);
          emit("f_ifelse_mul(f_step(" + X + "), " + (t_none ? std::string("None") : X) + ", " +
                   (f_none ? std::string("None") : Y) + ")",
               d);
        } else {
          emit("f_ifelse_opt(f_step(" + X + "), " + X + ", None, " + lam() + ")", d);
        }
        break;
      case 23:
        emit("f_modulo_counter(" + X + ", " + std::to_string(2 + pick(5)) + ")", 1);
        break;
      case 24:
        emit("f_relu_identity(" + X + ")", d);
        break;
      case 25:
        emit("nonneg(ReLU(" + X + "))", d);
        break;
      case 26:
        emit(X + " + " + Y, d);
        break;
      case 27:
        emit(X + " - " + Y, d);
        break;
      case 28:
        emit(chance(0.5) ? X + " * " + constant() : small_constant() + " * " + X, d);
        break;
      case 29:
        emit(X + " / " + (chance(0.5) ? std::string("3") : std::string("0.1")), d);
        break;
      case 30:
        emit(X + " + " + constant(), d);
        break;
      case 31:
        emit(small_constant() + " - " + X, d);
        break;
      case 32:
        emit("-" + X, d);
        break;
      case 34:  // a node read by a LinState and by others (case 6), a counter of a variable
        emit("LinState(" + X + ", A=eye(" + ds + "), B=eye(" + ds + "), init_state=zeros(" + ds + ")) + " + X, d);
        break;
      case 35:  // a ReLU and a Linear of one node, the Linear read by more than a ReLU (7B)
        emit("Concat([ReLU(" + X + "), " + X + " * 0.1 + 1/3])", 2 * d);
        break;
      default: {  // two constants read by one node (once a debranching loop)
        const std::string c1 = "f_constant(input, " + constant() + ")";
        const std::string c2 = "f_constant(input, " + constant() + ")";
        emit("Linear(Concat([" + c1 + ", " + c2 + "]), [[1, " + small_constant() + "]], [" + small_constant() + "])",
             1);
        break;
      }
    }
  }

  // A branch of f_ifelse_opt: a value, a non-negative value, or None.
  std::string branch(const Var& a, const Var& b, int d) {
    const int k = pick(4);
    if (k == 0) return "None";
    if (k == 1) return "nonneg(ReLU(" + as_width(a, d) + "))";
    return as_width(k == 2 ? a : b, d);
  }

  static std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += (i ? ", " : "") + s;
    return out;
  }

  std::mt19937_64 rng_;
  std::vector<Var> vars_;
  std::string text_;
  bool has_multi_ = false;
  bool allow_multi_ = false;
  int next_name_ = 0;
};

}  // namespace lsrl::gen
