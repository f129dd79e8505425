// select() + headers() for a typical person: the per-request rendering cost on a cache hit.

#include <benchmark/benchmark.h>

#include "vtj/render.hpp"

namespace {

using vtj::reg::Element;

Element leaf(std::string name, std::string text) {
  return Element{std::move(name), std::move(text), {}, {}};
}
Element node(std::string name, std::vector<Element> children) {
  return Element{std::move(name), "", {}, std::move(children)};
}

vtj::reg::Person typical_person() {
  return vtj::reg::Person(node(
      "Henkilo", {leaf("Henkilotunnus", "020501A999T"), leaf("SahkoinenAsiointitunnus", "10000350X"),
                  node("NykyinenSukunimi", {leaf("Sukunimi", "Jäppinen")}),
                  node("NykyisetEtunimet", {leaf("Etunimet", "Albert Kristian")}),
                  node("NykyinenKutsumanimi", {leaf("Kutsumanimi", "Albert")}),
                  node("VakinainenKotimainenLahiosoite",
                       {leaf("LahiosoiteS", "Mäkikatu 3 B 12"), leaf("LahiosoiteR", "Backgatan 3 B 12"),
                        leaf("Postinumero", "40100"), leaf("PostitoimipaikkaS", "JYVÄSKYLÄ"),
                        leaf("PostitoimipaikkaR", "JYVÄSKYLÄ"), leaf("AsuminenAlkupvm", "20100101")}),
                  node("Kotikunta", {leaf("Kuntanumero", "179"), leaf("KuntaS", "Jyväskylä"),
                                     leaf("KuntaR", "Jyväskylä")}),
                  node("Aidinkieli", {leaf("Kielikoodi", "fi"), leaf("KieliS", "suomi")}),
                  node("Kansalaisuus", {leaf("Kansalaisuuskoodi3", "246"), leaf("KansalaisuusS", "Suomi")}),
                  node("Kuolintiedot", {leaf("Kuollut", ""), leaf("Kuolinpvm", "")}),
                  node("Turvakielto", {leaf("TurvakieltoTieto", "0")})}));
}

void render(benchmark::State& state, vtj::config::Encoding encoding) {
  vtj::reg::Person person = typical_person();
  vtj::config::Settings settings;
  settings.encoding = encoding;
  vtj::render::RenderInput input{&person, "10000350X", "", "ok"};
  for (auto _ : state) {
    auto values = vtj::render::select(input, settings);
    auto headers = vtj::render::headers(values, settings.encoding);
    benchmark::DoNotOptimize(headers);
  }
}

void BM_RenderPercent(benchmark::State& state) {
  render(state, vtj::config::Encoding::Percent);
}
void BM_RenderUtf8(benchmark::State& state) {
  render(state, vtj::config::Encoding::Utf8);
}

BENCHMARK(BM_RenderPercent);
BENCHMARK(BM_RenderUtf8);

}  // namespace

BENCHMARK_MAIN();
