#include "compile/stages.hpp"

#include "compile/num_ops.hpp"

namespace lsrl {

StagedModel stages_from_path(const PathModel& path) {
  StagedModel out;
  out.input_dim = path.input_dim;
  for (const auto& l : path.layers) {
    Stage s;
    s.kind = StageKind::State;
    s.in_dim = l.in_dim;
    s.out_dim = l.state_dim;
    s.A = l.A;
    s.B = l.B;
    s.b = l.bias;
    s.init = l.init;
    s.label = l.label;
    out.stages.push_back(std::move(s));
    for (const auto& op : l.ops) {
      Stage t;
      t.kind = op.kind == PathOpKind::Linear ? StageKind::Linear
               : op.kind == PathOpKind::ReLU ? StageKind::ReLU
                                             : StageKind::Multi;
      t.in_dim = op.in_dim;
      t.out_dim = op.out_dim;
      t.A = op.A;
      t.b = op.b;
      t.label = op.label;
      t.origin = op.origin;
      out.stages.push_back(std::move(t));
    }
  }
  return out;
}

PathModel path_from_stages(const StagedModel& staged) {
  PathModel path;
  path.input_dim = staged.input_dim;
  for (const auto& s : staged.stages) {
    if (s.kind == StageKind::State) {
      PathLayer l;
      l.in_dim = s.in_dim;
      l.state_dim = s.out_dim;
      l.A = s.A;
      l.B = s.B;
      l.bias = s.b;
      l.init = s.init;
      l.label = s.label;
      path.layers.push_back(std::move(l));
      continue;
    }
    PathOp op;
    op.kind = s.kind == StageKind::Linear ? PathOpKind::Linear
              : s.kind == StageKind::ReLU ? PathOpKind::ReLU
                                          : PathOpKind::Multi;
    op.in_dim = s.in_dim;
    op.out_dim = s.out_dim;
    if (s.kind == StageKind::Linear) {
      op.A = s.A;
      op.b = s.b;
    }
    op.label = s.label;
    op.origin = s.origin;
    path.layers.back().ops.push_back(std::move(op));
  }
  path.output_dim = staged.stages.empty() ? staged.input_dim : staged.stages.back().out_dim;
  return path;
}

namespace {
std::vector<int> kept_indices(const std::vector<char>& mask) {
  std::vector<int> idx;
  for (std::size_t i = 0; i < mask.size(); ++i)
    if (mask[i]) idx.push_back(static_cast<int>(i));
  return idx;
}
}  // namespace

void keep_units(StagedModel& model, const std::vector<std::vector<char>>& keep) {
  std::vector<int> input_kept;  // kept units of the previous stage
  for (int i = 0; i < model.input_dim; ++i) input_kept.push_back(i);
  for (std::size_t k = 0; k < model.stages.size(); ++k) {
    Stage& s = model.stages[k];
    const std::vector<int> rows = kept_indices(keep[k]);
    switch (s.kind) {
      case StageKind::State:
        s.A = pick_columns(pick_rows(s.A, rows), rows);
        s.B = pick_columns(pick_rows(s.B, rows), input_kept);
        s.b = pick_entries(s.b, rows);
        s.init = pick_entries(s.init, rows);
        break;
      case StageKind::Linear:
        s.A = pick_columns(pick_rows(s.A, rows), input_kept);
        s.b = pick_entries(s.b, rows);
        break;
      case StageKind::ReLU:
      case StageKind::Multi:
        break;
    }
    s.in_dim = static_cast<int>(input_kept.size());
    s.out_dim = static_cast<int>(rows.size());
    input_kept = rows;
  }
}

long long staged_nonzeros(const StagedModel& model) {
  long long n = 0;
  auto vec_nnz = [](const NumVector& v) {
    long long c = 0;
    for (Eigen::Index i = 0; i < v.size(); ++i) c += v[i].is_zero() ? 0 : 1;
    return c;
  };
  for (const auto& s : model.stages) {
    n += s.A.nonZeros() + s.B.nonZeros() + vec_nnz(s.b) + vec_nnz(s.init);
  }
  return n;
}

}  // namespace lsrl
