// The rubric editor's running sum, updated while the organiser types. The page works without it: the server
// shows the sum of what was saved or typed each time the page comes back.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("rubric-form");
  var output = document.getElementById("rubric-sum");
  if (!form || !output) return;
  function update() {
    var sum = 0;
    form.querySelectorAll("tbody tr").forEach(function (row) {
      var points = row.querySelector("input[name$='-max_points']");
      var remove = row.querySelector("input[name$='-DELETE']");
      if (!points || (remove && remove.checked)) return;
      var value = parseInt(points.value, 10);
      if (!isNaN(value)) sum += value;
    });
    output.textContent = sum;
    document.getElementById("rubric-total").classList.toggle("errornote", sum !== 100);
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
});
