#define X(a) \
  (a)
static long long aux(void) { return 0; }
int main(void) { return 0; }
short m(signed char a, short int b) { const char *s = "}{"; return a * b; }
