"""nbgrader configuration of the Member Analytics Workbook (会员数据分析工作簿).

Run every nbgrader command from the repository root (docs/INSTRUCTOR.md lists them). The course layout:

    solutions/<NN-slug>/<NN-slug>.ipynb          instructor source   (nbgrader "source", one assignment per module)
    notebooks/<NN-slug>/<NN-slug>.ipynb          student release     (nbgrader "release"; `python -m helpers release`)
    submitted/<student>/<NN-slug>/...            collected work      (git-ignored)
    autograded/ feedback/ gradebook.db           grading state       (git-ignored)

The root is the folder of this file, so a copy of it in a temporary course directory (tests) grades there.
"""

import os

c = get_config()  # noqa: F821 - injected by traitlets when nbgrader loads this file

ROOT = os.path.dirname(os.path.abspath(__file__))

# ---- course directory ----------------------------------------------------------------------------------------
c.CourseDirectory.course_id = "member-analytics"
c.CourseDirectory.root = ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# the gradebook lives at the root and is git-ignored (/gradebook.db in .gitignore)
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(ROOT, "gradebook.db")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "reports", "*.html"]

# ---- generate_assignment: what the student sees -----------------------------------------------------------------
c.ClearSolutions.code_stub = {
    "python": "# 在这里写你的代码（YOUR CODE HERE），写好后删除下面这一行\n"
    'raise NotImplementedError("练习尚未完成：请删除这一行，写出你的代码")'
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE（在这里写下你的答案）"
c.ClearSolutions.enforce_metadata = True
c.ClearHiddenTests.enforce_metadata = True
c.LockCells.lock_grade_cells = True
c.LockCells.lock_solution_cells = True
c.LockCells.lock_readonly_cells = True
c.IncludeHeaderFooter.header = ""
c.IncludeHeaderFooter.footer = ""

# ---- execution (autograde, validate) ----------------------------------------------------------------------------
c.Execute.kernel_name = "python3"
c.Execute.timeout = 120  # seconds per cell; course cells target < 10 s
c.Execute.startup_timeout = 120
c.Execute.interrupt_on_timeout = True
c.Execute.execute_retries = 0
# nobody moves a slider while grading: the notebooks' explorers draw their view once (helpers/widgets.py says why live
# widgets can stall an execution; this is helpers.widgets.STATIC_KERNEL_ARGUMENT, spelled out so that this file
# loads without the helpers package)
c.Execute.extra_arguments = [
    "--IPKernelApp.exec_lines=__import__('os').environ.__setitem__('MEMBER_WORKBOOK_STATIC_WIDGETS', '1')"
]
c.ExecutePreprocessor.kernel_name = "python3"
c.ExecutePreprocessor.timeout = 120
c.NotebookClient.kernel_name = "python3"
c.NotebookClient.timeout = 120

# ---- autograde ---------------------------------------------------------------------------------------------------
# clear cell metadata that JupyterLab adds (collapsed, scrolled, execution timings) before grading
c.ClearMetadataPreprocessor.enabled = True
c.ClearMetadataPreprocessor.preserve_cell_metadata_mask = [("nbgrader",), ("tags",)]
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# ---- time --------------------------------------------------------------------------------------------------------
c.Exchange.timezone = "UTC"

# ---- zip_collect: downloaded/<NN-slug>/archive/<student_id>_<NN-slug>.ipynb (or .zip of such files) -------------
c.FileNameCollectorPlugin.named_regexp = r"^(?:.*/)?(?P<student_id>[A-Za-z0-9\-]+?)_(?P<file_id>[0-9]{2}-[^/]+)$"
