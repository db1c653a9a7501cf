namespace WritePipeline.OperatorConsole.Pages;

public sealed class DeniedModel : ConsolePageModel
{
    public void OnGet()
    {
    }
}
