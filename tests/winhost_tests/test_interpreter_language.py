"""The language front end (winhost/powershell/syntax/) and what scripts see of it (clr/language.py).

Two parts. The lowering: every script of the interpreter's test tables and ansible-core's real PowerShell
wrappers and module utils (read from the installed ansible-core) lowers into the AST without a construct the
front end does not know, and every node's extent is the slice of the script as written that it covers.
What scripts see: rows of script -> what Windows PowerShell 5.1 gives, from PowerShell's docs and source:
System.Management.Automation.Language (learn.microsoft.com: Parser.ParseInput(String, Token[]&, ParseError[]&),
Ast.Find(Func<Ast,Boolean>, Boolean), Ast.FindAll, ScriptBlock.Ast, CommandAst.GetCommandName,
ScriptBlockAst.GetScriptBlock, IScriptExtent) and src/System.Management.Automation/engine/parser/ast.cs
(the classes' properties) / Parser.cs (what a construct becomes: `,x` an ArrayLiteralAst, `[T]x` a
ConvertExpressionAst, a statement that is an expression a PipelineAst of one CommandExpressionAst).
"""

from __future__ import annotations

import importlib
import pathlib

import ansible
import pytest

from winhost.powershell.errors import ParseError
from winhost.powershell.parser import parse
from winhost.powershell.syntax import Ast, lower_script
from winhost.powershell.syntax import nodes as N

from test_interpreter import plain, run

_HERE = pathlib.Path(__file__).parent
_ANSIBLE = pathlib.Path(ansible.__file__).parent


def _table_scripts() -> list[tuple[str, str]]:
    """The scripts of every interpreter test table: module-level lists whose rows start with the script."""
    found = []
    for path in sorted(_HERE.glob("test_interpreter*.py")):
        if path.stem == "test_interpreter_language":
            continue
        module = importlib.import_module(path.stem)
        for name, value in vars(module).items():
            if isinstance(value, list) and value and all(isinstance(r, (tuple, list)) and r and isinstance(r[0], str)
                                                         for r in value):
                found.extend((f"{path.stem}.{name}[{i}]", row[0]) for i, row in enumerate(value))
    return found


def _ansible_scripts() -> list[tuple[str, str]]:
    files = sorted((_ANSIBLE / "executor" / "powershell").glob("*.ps1")) + \
        sorted((_ANSIBLE / "module_utils" / "powershell").glob("*.psm1"))
    return [(str(p.relative_to(_ANSIBLE)), p.read_text(encoding="utf-8-sig")) for p in files]


def _check_extents(ast: Ast, text: str, rewritten: bool) -> int:
    count = 0
    for node in ast.walk():
        count += 1
        ext = node.extent
        assert ext.text == text[ext.start_offset:ext.end_offset], node
        before = text[:ext.start_offset]
        assert ext.start_line_number == before.count("\n") + 1, node
        assert ext.start_column_number == ext.start_offset - (before.rfind("\n") + 1) + 1, node
        assert ext.end_line_number == text[:ext.end_offset].count("\n") + 1, node
        if node.parent is not None:
            assert node in list(node.parent.children()), node
            assert node.parent.extent.start_offset <= ext.start_offset <= ext.end_offset <= node.parent.extent.end_offset, \
                (type(node).__name__, ext.text, type(node.parent).__name__, node.parent.extent.text)
        if not rewritten and ext.text and node is not ast:  # the root covers the whole input
            # No work-around touched the script: the extent is exactly what the grammar's tree covers.
            assert ext.text == ext.text.strip(), node
    return count


def test_every_table_script_and_ansible_wrapper_lowers_with_round_tripping_extents():
    corpus = _table_scripts() + _ansible_scripts()
    wrappers = [name for name, _text in corpus if name.endswith((".ps1", ".psm1"))]
    assert len(wrappers) >= 8 and any(w.endswith("exec_wrapper.ps1") for w in wrappers), wrappers
    assert len(corpus) > 500, len(corpus)
    lowered = nodes = 0
    for name, text in corpus:
        try:
            parsed = parse(text)
        except ParseError:
            continue  # a row that shows a parse error: nothing to lower (PowerShell's AST of it has error nodes)
        ast = lower_script(text, parsed)
        assert isinstance(ast, N.ScriptBlockAst) and ast.extent.text == text, name
        rewritten = (parsed.source != text.encode("utf-8")) or "begin" in text.lower()
        nodes += _check_extents(ast, text, rewritten)
        lowered += 1
    assert lowered > 500 and nodes > 20000, (lowered, nodes)


def test_extents_are_in_the_script_as_written_where_the_parser_rewrote_it():
    # parser.py quotes `a, b`, writes `1L` as `([long]1)` and drops the arity of ``List`1[string]``.
    text = "select a, b; $x = 1L\n[List`1[string]]::new()"
    ast = lower_script(text)
    command = ast.end_block.statements[0].pipeline_elements[0]
    words = command.command_elements[1].elements
    assert [(w.value, w.string_constant_type, w.extent.text) for w in words] == [("a", "BareWord", "a"), ("b", "BareWord", "b")]
    constant = ast.end_block.statements[1].right.pipeline_elements[0].expression
    assert (type(constant).__name__, constant.extent.text, constant.value) == ("ConstantExpressionAst", "1L", 1)
    invoke = ast.end_block.statements[2].pipeline_elements[0].expression
    assert invoke.expression.type_name_.name == "List`1[string]"
    assert (invoke.extent.start_line_number, invoke.extent.start_column_number) == (2, 1)


def test_top_level_named_blocks_lower_as_named_blocks():
    ast = lower_script("param($a)\nbegin { 'b' }\nprocess { $_ }\nend { 'e' }")
    assert [b.block_kind for b in (ast.begin_block, ast.process_block, ast.end_block)] == ["Begin", "Process", "End"]
    assert ast.process_block.extent.text == "process { $_ }" and not ast.end_block.unnamed
    assert ast.param_block.parameters[0].name.variable_path.user_path == "a"


P = "[System.Management.Automation.Language.Parser]::ParseInput"
L = "System.Management.Automation.Language"

AST_CASES = [
    # Parser.ParseInput(String, Token[]&, ParseError[]&) returns a ScriptBlockAst; a script without named blocks has
    # one unnamed End block (NamedBlockAst.Unnamed).
    (f"$a = {P}('Get-Item C:\\x -Force', [ref]$null, [ref]$null); $a.GetType().FullName; $a.EndBlock.Unnamed; "
     "$a.EndBlock.BlockKind; $a.BeginBlock -eq $null", [f"{L}.ScriptBlockAst", True, "End", True]),
    # CommandAst.GetCommandName(), CommandElements (StringConstantExpressionAst BareWord, CommandParameterAst).
    (f"$c = {P}('Get-Item C:\\x -Force', [ref]$null, [ref]$null).EndBlock.Statements[0].PipelineElements[0]; "
     "$c.GetCommandName(); $c.CommandElements.Count; $c.CommandElements[1].StringConstantType; "
     "$c.CommandElements[2].ParameterName; $c.CommandElements[2].GetType().Name",
     ["Get-Item", 3, "BareWord", "Force", "CommandParameterAst"]),
    # -Name:value is one CommandParameterAst with its Argument; & is InvocationOperator Ampersand.
    (f"$c = {P}('& f -Name:$v', [ref]$null, [ref]$null).EndBlock.Statements[0].PipelineElements[0]; "
     "$c.InvocationOperator; $c.CommandElements[1].Argument.VariablePath.UserPath", ["Ampersand", "v"]),
    # Ast.Find / FindAll (the predicate gets each node; searchNestedScriptBlocks).
    (f"$a = {P}('function f {{ Get-Date }}; Write-Output 1 | Out-Null', [ref]$null, [ref]$null); "
     f"($a.FindAll({{ $args[0] -is [{L}.CommandAst] }}, $true) | ForEach-Object {{ $_.GetCommandName() }}) -join ','; "
     f"($a.FindAll({{ $args[0] -is [{L}.CommandAst] }}, $false) | ForEach-Object {{ $_.GetCommandName() }}) -join ','; "
     f"$a.Find({{ param($n) $n -is [{L}.FunctionDefinitionAst] }}, $true).Name; "
     f"$a.Find({{ $false }}, $true) -eq $null",
     ["Get-Date,Write-Output,Out-Null", "Write-Output,Out-Null", "f", True]),
    # FunctionDefinitionAst: Name, IsFilter, Body.ParamBlock.Parameters (ParameterAst: Name, DefaultValue, Attributes).
    (f"$f = {P}('filter g {{ param([int]$n = 2) }}', [ref]$null, [ref]$null).EndBlock.Statements[0]; $f.Name; $f.IsFilter; "
     "$p = $f.Body.ParamBlock.Parameters[0]; $p.Name.VariablePath.UserPath; $p.DefaultValue.Value; "
     "$p.Attributes[0].TypeName.FullName; $p.Attributes[0].GetType().Name",
     ["g", True, "n", 2, "int", "TypeConstraintAst"]),
    # Extent: Text, StartOffset/EndOffset, line and column numbers (1-based); Parent.
    (f"$a = {P}(\"`$x = 1`n  Get-Date\", [ref]$null, [ref]$null); $s = $a.EndBlock.Statements[1]; $s.Extent.Text; "
     "$s.Extent.StartOffset; $s.Extent.EndOffset; $s.Extent.StartLineNumber; $s.Extent.StartColumnNumber; "
     "$s.Parent.GetType().Name; $s.Parent.Parent -eq $a",
     ["Get-Date", 9, 17, 2, 3, "NamedBlockAst", True]),
    # AssignmentStatementAst (Left, Operator, Right), HashtableAst.KeyValuePairs (Item1/Item2), BinaryExpressionAst.
    (f"$s = {P}('$h += @{{a = 1 + 2}}', [ref]$null, [ref]$null).EndBlock.Statements[0]; $s.Operator; "
     "$s.Left.VariablePath.UserPath; $kv = $s.Right.PipelineElements[0].Expression.KeyValuePairs[0]; "
     "$kv.Item1.Value; $e = $kv.Item2.PipelineElements[0].Expression; $e.Operator; $e.Left.Value + $e.Right.Value",
     ["PlusEquals", "h", "a", "Plus", 3]),
    # IfStatementAst.Clauses (Tuple of condition and body), ElseClause; TryStatementAst; ForEachStatementAst.
    (f"$s = {P}('if ($a) {{ 1 }} else {{ 2 }}; try {{ }} catch [IO.IOException] {{ }} finally {{ }}; foreach ($i in $l) {{ }}', "
     "[ref]$null, [ref]$null).EndBlock.Statements; $s[0].Clauses[0].Item1.Extent.Text; $s[0].ElseClause.Extent.Text; "
     "$s[1].CatchClauses[0].CatchTypes[0].TypeName.Name; $s[1].CatchClauses[0].IsCatchAll; $s[1].Finally -ne $null; "
     "$s[2].Variable.VariablePath.UserPath; $s[2].Condition.Extent.Text",
     ["$a", "{ 2 }", "IO.IOException", False, True, "i", "$l"]),
    # Parser.cs: `,1` is an ArrayLiteralAst, `[int]'5'` a ConvertExpressionAst, "$x" an ExpandableStringExpressionAst,
    # `$a.b()` an InvokeMemberExpressionAst, `[T]::M` a static MemberExpressionAst, `$a[0]` an IndexExpressionAst.
    (f"$s = {P}(',1; [int]''5''; \"v=$x\"; $a.b(1); [Math]::PI; $a[0]', [ref]$null, [ref]$null).EndBlock.Statements; "
     "$s | ForEach-Object { $_.PipelineElements[0].Expression.GetType().Name }; "
     "$s[3].PipelineElements[0].Expression.Member.Value; $s[4].PipelineElements[0].Expression.Static; "
     "$s[2].PipelineElements[0].Expression.NestedExpressions[0].VariablePath.UserPath",
     ["ArrayLiteralAst", "ConvertExpressionAst", "ExpandableStringExpressionAst", "InvokeMemberExpressionAst",
      "MemberExpressionAst", "IndexExpressionAst", "b", True, "x"]),
    # ScriptBlock.Ast: the ScriptBlockAst of a script block literal, braces included; its GetScriptBlock() runs.
    ("$b = { param($n) $n * 2 }; $b.Ast.Extent.Text; $b.Ast.ParamBlock.Parameters[0].Name.Extent.Text; "
     "$run = $b.Ast.GetScriptBlock(); & $run 21", ["{ param($n) $n * 2 }", "$n", 42]),
    # -is with the abstract classes (ast.cs: CommandAst : CommandBaseAst : StatementAst : Ast).
    (f"$c = {{ Get-Date }}.Ast.EndBlock.Statements[0].PipelineElements[0]; $c -is [{L}.CommandBaseAst]; "
     f"$c -is [{L}.StatementAst]; $c -is [{L}.Ast]; $c -is [{L}.ExpressionAst]", [True, True, True, False]),
    # SwitchStatementAst (Flags, Clauses, Default), redirections of a command (Merging/FileRedirectionAst), the
    # CommandParameterAst of `-Name:$v` spans its argument (Parser.cs), WhileStatementAst, DoUntilStatementAst.
    (f"$s = {P}('switch -regex ($x) {{ a {{ 1 }} default {{ 2 }} }}; f 2>&1 > $null; while ($true) {{ break }}; "
     "do { } until ($y)', [ref]$null, [ref]$null).EndBlock.Statements; $s[0].Flags; $s[0].Clauses[0].Item1.Value; "
     "$s[0].Default.Extent.Text; $r = $s[1].PipelineElements[0].Redirections; $r[0].FromStream; $r[0].ToStream; "
     "$r[1].Location.VariablePath.UserPath; $s[2].Body.Statements[0].GetType().Name; $s[3].GetType().Name; "
     "$s[3].Condition.Extent.Text", ["Regex", "a", "{ 2 }", "Error", "Output", "null", "BreakStatementAst",
                                     "DoUntilStatementAst", "$y"]),
    # VariablePath (UserPath, IsGlobal, DriveName), $using:x a UsingExpressionAst, splatting (Splatted).
    (f"$s = {P}('$global:g; $env:Path; $using:u; f @a', [ref]$null, [ref]$null).EndBlock.Statements; "
     "$v = $s[0].PipelineElements[0].Expression.VariablePath; $v.UserPath; $v.IsGlobal; "
     "$s[1].PipelineElements[0].Expression.VariablePath.DriveName; $s[2].PipelineElements[0].Expression.GetType().Name; "
     "$s[3].PipelineElements[0].CommandElements[1].Splatted",
     ["global:g", True, "env", "UsingExpressionAst", True]),
    # ScriptBlockAst.UsingStatements (about_Using; ast.cs UsingStatementAst: UsingStatementKind, Name a
    # StringConstantExpressionAst): the root's only, a nested script block has none.
    (f"$a = {P}(\"# c`nusing namespace System.Text`nusing namespace System.IO`n{{ [Path] }}\", [ref]$null, [ref]$null); "
     "$u = $a.UsingStatements; $u.Count; $u[0].Extent.Text; $u[1].UsingStatementKind; $u[1].Name.Value; "
     "$u[1].Name.GetType().Name; $a.EndBlock.Statements[0].PipelineElements[0].Expression.ScriptBlock.UsingStatements.Count",
     [2, "using namespace System.Text", "Namespace", "System.IO", "StringConstantExpressionAst", 0]),
    # An argument-mode word is a BareWord StringConstantExpressionAst whose value has its escapes applied
    # (about_Parsing, about_Special_Characters); the command gets that value.
    (f"$c = {P}('f a`tb', [ref]$null, [ref]$null).EndBlock.Statements[0].PipelineElements[0].CommandElements[1]; "
     "$c.Value.Length; $c.StringConstantType; $c.Extent.Text; (Write-Output a`tb).Length",
     [3, "BareWord", "a`tb", 3]),
    # ParseInput(input, fileName, ...): the extents' File; ToString() is the extent's text.
    (f"$a = {P}('1 + 1', 'c:\\s.ps1', [ref]$null, [ref]$null); $a.Extent.File; $a.ToString()", ["c:\\s.ps1", "1 + 1"]),
]


@pytest.mark.parametrize("script,expected", AST_CASES, ids=[c[0][:70] for c in AST_CASES])
def test_ast_seen_by_scripts(script, expected):
    rec, result = run(script)
    assert result.state == "Completed", (result, rec.errors)
    assert not rec.errors, rec.errors
    assert plain(rec.output) == expected


# The literals the evaluator runs on the AST (ast_eval/literals.py): about_Hash_Tables (keys are bare words, strings,
# numbers or expressions), about_Arrays, about_Numeric_Literals (`L`, `0x`, `kb`), about_Quoting_Rules.
LITERAL_CASES = [
    ("$h = @{ a = 1; 'b c' = 2; 3 = 'x'; (1 + 1) = @(1, 2) }; $h.a; $h['b c']; $h[3]; $h[2].Count", [1, 2, "x", 2]),
    ('$a = 1, "two", 3L, 0x10, 1kb; $a.Count; $a[2].GetType().Name; $a[3]; $a[4]', [5, "Int64", 16, 1024]),
    ("@'\nx 'y'\n'@; 'it''s'; @{ n = @{ m = 1, 2 } }.n.m.Count", ["x 'y'", "it's", 2]),
]


@pytest.mark.parametrize("script,expected", LITERAL_CASES, ids=[c[0][:60] for c in LITERAL_CASES])
def test_literals_on_the_ast(script, expected):
    rec, result = run(script)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert plain(rec.output) == expected


@pytest.mark.parametrize("probe", [
    "$a.ParamBlock.Parameters[0].StaticType",  # ast.cs has it; the front end does not type parameters
    "$a.Visit($null)",
    "$a.Extent.StartScriptPosition",
    # PowerShell runs this body with the function's parameters ($x); the evaluator would not see them.
    "$b = {P}('function f([int]$x) { $x }', [ref]$null, [ref]$null).EndBlock.Statements[0].Body.GetScriptBlock()",
])
def test_what_the_front_end_does_not_model_is_an_error(probe):
    rec, result = run(f"$a = {P}('param([int]$x)', [ref]$null, [ref]$null)\n" + probe.replace("{P}", P))
    assert result.state == "Failed", (result, rec.output)
    assert "is not modelled by the fake Windows host" in str(result.error), result.error
