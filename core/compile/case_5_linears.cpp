// Debranching case 5: every reader of the branch node is affine.
// 5A: all are Slices. Each Slice is pushed into what reads it: into a
//     Linear's A or a LinState's B (columns placed at the slice's offset),
//     behind a ReLU (ReLU(x)[a:b] = ReLU(x[a:b])), after a Concat made only
//     of slices of the branch node (the Concat becomes one selecting Linear),
//     and Multis behind slices are gathered behind one Linear and one Multi
//     that also carries (times one) the slices the others read.
//     A Concat that also reads other nodes keeps its Slice: moving it after
//     the Concat (as the reference does) would make the Concat carry the
//     whole branch node until its other inputs exist, through every later
//     bypass; the Slice, a Linear, is carried by the bypass cases instead,
//     so only the units the Concat needs travel. (Some Concat of only
//     slices always exists when every reader is a Slice into a Concat: the
//     first of them in topological order can read nothing else.)
// 5B: not all Slices: one Linear with the stacked rows, and each former
//     Linear is a Slice of it (which 5A or the fusions then push onward).
#include <algorithm>
#include <vector>

#include "compile/num_ops.hpp"
#include "compile/passes.hpp"

namespace lsrl {

namespace {

bool is_slice_of(const WorkGraph& g, WorkId n, WorkId bn) {
  const WorkNode& w = g.node(n);
  return w.kind == NodeKind::Slice && w.inputs[0] == bn;
}

// Multis reading slices of bn: one Linear + one Multi for all of them, which
// also carries every slice that is read by something else.
void gather_multis(WorkGraph& g, WorkId bn, const std::vector<WorkId>& slices, RuleCounter& counts) {
  std::vector<WorkId> multis;
  std::vector<WorkId> carried;
  for (WorkId s : slices) {
    bool other_reader = false;
    for (WorkId u : g.users(s)) {
      if (g.node(u).kind == NodeKind::Multi) {
        if (std::find(multis.begin(), multis.end(), u) == multis.end()) multis.push_back(u);
      } else {
        other_reader = true;
      }
    }
    if (other_reader) carried.push_back(s);
  }
  int half = 0;
  for (WorkId m : multis) half += g.node(m).dim;
  for (WorkId s : carried) half += g.node(s).dim;
  const int width = g.node(bn).dim;
  SparseAssembler arrange(2 * half, width);
  NumVector bias = zero_vector(2 * half);
  int row = 0;
  for (WorkId m : multis) {
    const WorkNode& s = g.node(g.node(m).inputs[0]);
    for (int i = 0; i < g.node(m).dim; ++i) {
      arrange.add(row + i, s.slice_begin + i, Num(1));
      arrange.add(half + row + i, s.slice_begin + g.node(m).dim + i, Num(1));
    }
    row += g.node(m).dim;
  }
  for (WorkId c : carried) {
    const WorkNode& s = g.node(c);
    for (int i = 0; i < s.dim; ++i) {
      arrange.add(row + i, s.slice_begin + i, Num(1));
      bias[half + row + i] = Num(1);
    }
    row += s.dim;
  }
  const WorkNode prov = WorkGraph::provenance({&g.node(multis.front())});
  const WorkId arranged = g.add_linear(bn, arrange.finish(), std::move(bias), prov);
  const WorkId product = g.add_multi(arranged, prov);
  int offset = 0;
  for (WorkId m : multis) {
    const int dim = g.node(m).dim;
    const WorkId part = g.add_slice(product, offset, offset + dim, WorkGraph::provenance({&g.node(m)}));
    offset += dim;
    g.replace_uses(m, part);
  }
  for (WorkId c : carried) {
    const int dim = g.node(c).dim;
    const WorkId part = g.add_slice(product, offset, offset + dim, WorkGraph::bypass_provenance(g.node(c)));
    offset += dim;
    for (WorkId u : std::vector<WorkId>(g.users(c)))
      if (g.node(u).kind != NodeKind::Multi) g.redirect_input(u, c, part);
  }
  counts.count("case_5a_push_slices");
}

bool push_slices(WorkGraph& g, WorkId bn, const std::vector<WorkId>& slices, WorkId left_alone, RuleCounter& counts);

}  // namespace

bool case_5a_push_slices(WorkGraph& g, WorkId bn, RuleCounter& counts) {
  const std::vector<WorkId> slices = g.users(bn);
  for (WorkId s : slices)
    if (g.node(s).kind != NodeKind::Slice) return false;

  // A Slice with many readers, all of them Concats, is a value carried along
  // a chain to readers far below (a chain of n additions to one input carries
  // the input past all n), waiting for their other inputs. Looking at each
  // of them at every step made such a chain quadratic to compile. None of
  // them is a rule's to rewrite here unless it reads only slices of bn, and
  // such a Concat with two different inputs also reads another slice and is
  // found there. So while the other Slices give the step something to do,
  // that Slice's readers are left alone; a step the others leave with
  // nothing to do looks at them all (a Concat reading that Slice alone).
  // Below the threshold every Slice is looked at every time, as in the
  // paper's rule. (That every reader is a Concat comes from the count the
  // graph keeps, not from a look at each.)
  constexpr std::size_t kCarriedReaders = 64;
  WorkId carried = -1;
  for (WorkId s : slices) {
    const WorkNode& w = g.node(s);
    if (w.users.size() > kCarriedReaders && static_cast<std::size_t>(w.concat_readers) == w.users.size() &&
        (carried < 0 || w.users.size() > g.users(carried).size()))
      carried = s;
  }
  if (carried >= 0 && push_slices(g, bn, slices, carried, counts)) return true;
  return push_slices(g, bn, slices, -1, counts);
}

namespace {

bool push_slices(WorkGraph& g, WorkId bn, const std::vector<WorkId>& slices, WorkId left_alone, RuleCounter& counts) {
  for (WorkId s : slices) {
    if (s == left_alone) continue;
    for (WorkId u : g.users(s))
      if (g.node(u).kind == NodeKind::Multi) {
        gather_multis(g, bn, slices, counts);
        return true;
      }
  }
  const int width = g.node(bn).dim;
  bool changed = false;
  for (WorkId s : slices) {
    if (!g.node(s).alive || s == left_alone) continue;
    g.charge_work(s, static_cast<std::int64_t>(g.users(s).size()));
    const int begin = g.node(s).slice_begin;
    const int end = g.node(s).slice_end;
    for (WorkId u : std::vector<WorkId>(g.users(s))) {
      WorkNode& w = g.node(u);
      switch (w.kind) {
        case NodeKind::Slice:
          w.slice_begin += begin;
          w.slice_end += begin;
          g.set_inputs(u, {bn});
          break;
        case NodeKind::Linear:
          w.A = embed_columns(w.A, begin, width);
          g.set_inputs(u, {bn});
          break;
        case NodeKind::LinState:
          w.B = embed_columns(w.B, begin, width);
          g.set_inputs(u, {bn});
          break;
        case NodeKind::ReLU: {
          const WorkId relu = g.add_relu(bn, WorkGraph::provenance({&w}));
          const WorkId part = g.add_slice(relu, begin, end, WorkGraph::provenance({&w}));
          g.replace_uses(u, part);
          break;
        }
        case NodeKind::Concat: {
          bool only_slices = true;
          for (WorkId in : w.inputs) only_slices = only_slices && (in == bn || is_slice_of(g, in, bn));
          if (!only_slices) continue;  // waits for a bypass case
          SparseAssembler select(w.dim, width);
          int row = 0;
          for (WorkId in : w.inputs) {
            const int b0 = in == bn ? 0 : g.node(in).slice_begin;
            for (int i = 0; i < g.node(in).dim; ++i) select.add(row++, b0 + i, Num(1));
          }
          w.A = select.finish();
          w.b = zero_vector(w.dim);
          g.set_kind(u, NodeKind::Linear);
          g.set_inputs(u, {bn});
          break;
        }
        default:
          continue;
      }
      g.touch(u);
      changed = true;
    }
  }
  if (changed) counts.count("case_5a_push_slices");
  return changed;
}

}  // namespace

bool case_5b_stack_linears(WorkGraph& g, WorkId bn, RuleCounter& counts) {
  const std::vector<WorkId> users = g.users(bn);
  for (WorkId u : users)
    if (!WorkGraph::is_affine(g.node(u))) return false;
  std::vector<NumSparse> As;
  std::vector<NumVector> bs;
  WorkNode prov;
  for (WorkId u : users) {
    As.push_back(g.affine_matrix(u));
    bs.push_back(g.affine_bias(u));
    WorkGraph::merge_names(prov.names, g.node(u).names);
    if (!prov.origin.known()) prov.origin = g.node(u).origin;
  }
  std::vector<const NumSparse*> Aps;
  std::vector<const NumVector*> bps;
  for (std::size_t k = 0; k < users.size(); ++k) {
    Aps.push_back(&As[k]);
    bps.push_back(&bs[k]);
  }
  const WorkId stacked = g.add_linear(bn, vstack(Aps), stack_vectors(bps), prov);
  // Each former reader becomes its rows of the stack in place, keeping its
  // own readers (however many: a carried value is read all along a chain).
  int offset = 0;
  for (WorkId u : users) {
    const int dim = g.node(u).dim;
    g.become_slice(u, stacked, offset, offset + dim);
    offset += dim;
  }
  counts.count("case_5b_stack_linears");
  return true;
}

}  // namespace lsrl
