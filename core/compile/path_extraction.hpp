// Debranched WorkGraph -> PathModel (see path_extraction.cpp).
#pragma once

#include "compile/path_model.hpp"
#include "compile/work_graph.hpp"

namespace lsrl {

// `g` must be a path (first_branching_node() == -1).
PathModel extract_path_model(const WorkGraph& g);

}  // namespace lsrl
