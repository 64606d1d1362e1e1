#pragma once
/// @file
/// opforge's additions to PETSc's solver types, registered in one explicit
/// list, as PETSc's KSPRegisterAll does for its own: the KSP type "gcrodr".

namespace opforge::solve {

/// Registers every opforge KSP type with PETSc (idempotent). SequenceSolver
/// calls it before it creates a KSP; code that creates KSPs itself calls it
/// first. Needs PETSc initialised (opforge::Environment).
void register_all();

}  // namespace opforge::solve
